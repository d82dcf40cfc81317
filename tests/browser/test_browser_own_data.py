"""Real browser (Chromium): a lakehouse built from raw-shaped files by docs/own-data.md's commands
(naive times, a wide feature table, a semicolon CSV with decimal commas, the model registered from
the file) shows every page without an exception."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import e2e
from analytics.governance import users
from app.navigation import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.slow]
PASSWORD = "browser-test-password"
_EXAMPLE = Path(__file__).resolve().parents[1] / "analytics" / "lakehouse" / "test_ingest_worked_example.py"


def _follow_the_doc():
    spec = importlib.util.spec_from_file_location("worked_example", _EXAMPLE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod.follow_the_doc


def test_every_page_renders_on_the_worked_example(tmp_path, monkeypatch):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    lake, _ = _follow_the_doc()(tmp_path, monkeypatch)
    users_file = tmp_path / "users.toml"
    users.add_user(users_file, "admin", "admin", PASSWORD)
    with e2e.streamlit_server(lake, env={"SCALEBOARD_USERS_FILE": str(users_file)}) as (url, _proc), \
            e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as").wait_for(timeout=60_000)
        for p in PAGES:
            page.locator("[data-testid='stSidebarNav'] a", has_text=p.title).first.click()
            page.locator("h1").first.wait_for(timeout=120_000)
            page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] "
                                   "[data-testid^='stStatusWidgetRunning']\")", timeout=120_000)
            page.wait_for_timeout(500)
            assert page.locator("[data-testid='stException']").count() == 0, p.title
            body = page.inner_text("body")
            assert "Traceback" not in body, p.title
        e2e.screenshot(page, "own_data_last_page")
        page.close()
