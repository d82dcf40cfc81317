"""AppTest plumbing shared by the page smoke tests: the real entry point, signed in as a role."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

PROJECT = Path(__file__).resolve().parent.parent
MAIN = str(PROJECT / "app" / "main.py")


def page_path(name: str) -> str:
    return str(PROJECT / "pages" / f"{name}.py")


def signed_in(role: str, *, name: str | None = None, timeout: float = 90) -> AppTest:
    """app/main.py with a valid session for ``role`` (not run yet)."""
    from app import auth

    at = AppTest.from_file(MAIN, default_timeout=timeout)
    at.session_state["user"] = auth.test_session(role, name=name)
    return at


def open_page(page: str, role: str, *, name: str | None = None, timeout: float = 90) -> AppTest:
    """Sign in as ``role``, run the app once, switch to ``pages/<page>.py`` and run it."""
    at = signed_in(role, name=name, timeout=timeout)
    at.run()
    at.switch_page(page_path(page))
    return at.run()
