"""Sign-in for real-browser tests and the server benchmark.

``bench_user(folder, role)`` creates a users file with one user of that role and returns
``(env, sign_in)``: the environment for ``e2e.streamlit_server`` and a function that signs a
Playwright page in (call it after every ``goto``/``reload``: a new browser session starts signed out).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from analytics.governance import users
from e2e import DEADLINE_MS

SIGN_IN_TIMEOUT_MS = DEADLINE_MS  # a deadline for a loaded machine, not a speed


def sign_in_page(page, name: str, password: str) -> None:
    page.get_by_label("User name").wait_for(timeout=SIGN_IN_TIMEOUT_MS)
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=SIGN_IN_TIMEOUT_MS)


def bench_user(folder: Path, role: str = "admin") -> tuple[dict[str, str], Callable]:
    path = Path(folder) / f"e2e-users-{role}.toml"
    name, password = f"e2e-{role.replace('_', '-')}", secrets.token_urlsafe(16)
    users.add_user(path, name, role, password, replace=True)
    return {"SCALEBOARD_USERS_FILE": str(path)}, lambda page: sign_in_page(page, name, password)
