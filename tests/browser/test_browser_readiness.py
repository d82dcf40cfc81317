"""Real browser: two people edit the same checklist item at the same time in two browser sessions;
both edits are kept, both sessions show both in the item's history, and the state survives a
server restart. Screenshots go to artifacts/readiness_*.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import e2e
from analytics.governance import users
from analytics.lakehouse import connection
from analytics.readiness import state as checklist_state
from e2e_auth import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

OWNER = "Data Steward (Maria)"
NOTE = "Supplier master documented by Bo"
ROW, OWNER_COL, NOTE_COL = 0, 4, 7  # Data Catalog; column positions in the editor (app.readiness)


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)


def _open(b, url: str, name: str, password: str):
    page = b.new_context(viewport={"width": 1500, "height": 1400}).new_page()
    page.goto(url + "/readiness")
    sign_in_page(page, name, password)
    page.get_by_text("Progress by owner").wait_for(timeout=e2e.DEADLINE_MS)
    # the editor grid draws its cells after the page settles
    page.wait_for_function("""[...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .some(e => e.textContent.includes('Evidence says'))""", timeout=e2e.DEADLINE_MS)
    page.wait_for_timeout(1000)
    return page


def _settled(page) -> None:
    """The script run has finished and the layout has stopped moving (a late element above the grid
    would shift the rows under the mouse)."""
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] "
                           "[data-testid^='stStatusWidgetRunning']\")", timeout=e2e.DEADLINE_MS)
    grid = page.locator("[data-testid='data-grid-canvas']").first
    before = None
    for _ in range(20):
        now = grid.bounding_box()
        if now == before:
            return
        before = now
        page.wait_for_timeout(250)


def _edit_cell(page, row: int, col: int, text: str) -> None:
    """Select the row's first cell, move right to the column, type (opens the editor), Enter."""
    _settled(page)
    box = page.locator("[data-testid='data-grid-canvas']").first.bounding_box()
    page.mouse.click(box["x"] + 30, box["y"] + 35 + 35 * row + 17)  # header row is 35px high
    for _ in range(col):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")  # opens the cell's editor with its current text
    box = page.locator("textarea.gdg-input")
    box.wait_for(timeout=e2e.DEADLINE_MS)
    box.fill(text)  # replaces the text (typing key by key loses keys on a busy machine)
    box.press("Enter")


def _grid_text(page, header: str) -> str:
    """Text of the data grid whose header contains ``header`` (its accessible table)."""
    return page.evaluate("""(header) => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
        .map(e => e.textContent).find(t => t.includes(header)) || ''""", header)


def test_two_sessions_edit_the_same_item(demo_root: Path, tmp_path: Path):
    root = tmp_path / "lakehouse"
    shutil.copytree(demo_root, root)
    users_file = tmp_path / "users.toml"
    users.add_user(users_file, "ana", "executive", "ana-password-123")
    users.add_user(users_file, "bo", "product_manager", "bo-password-123")
    env = {"SCALEBOARD_USERS_FILE": str(users_file)}
    with e2e.streamlit_server(root, env=env) as (url, _proc), e2e.browser() as b:
        a = _open(b, url, "ana", "ana-password-123")
        bo = _open(b, url, "bo", "bo-password-123")  # both sessions now show the same, soon stale, state
        _edit_cell(a, ROW, OWNER_COL, OWNER)
        _edit_cell(bo, ROW, NOTE_COL, NOTE)  # Bo's table does not know about Ana's edit yet
        for name, page in (("a", a), ("bo", bo)):
            try:
                page.get_by_text("Saved: data_catalog").first.wait_for(timeout=e2e.DEADLINE_MS)
            finally:
                e2e.screenshot(page, f"readiness_saved_{name}")
        # Bo's save re-ran his page after Ana's save; Ana sees Bo's edit on her next run (a reload)
        a.reload()
        sign_in_page(a, "ana", "ana-password-123")
        for page in (bo, a):
            page.get_by_text("History of an item").scroll_into_view_if_needed()
            page.wait_for_function(
                f"""[...document.querySelectorAll('[data-testid="stDataFrame"]')]
                    .some(e => e.textContent.includes('When (UTC)') && e.textContent.includes('{NOTE}')
                               && e.textContent.includes('{OWNER}'))""", timeout=e2e.DEADLINE_MS)
            history = _grid_text(page, "When (UTC)")
            assert "ana" in history and "bo" in history
            assert page.locator("[data-testid='stException']").count() == 0
        e2e.screenshot(bo, "readiness_two_sessions")

    con = connection.connect(root)
    try:
        hist = checklist_state.history(con, "data_catalog")
        row = checklist_state.state(con).filter(item_id="data_catalog").row(0, named=True)
    finally:
        con.close()
    assert hist.filter(actor="ana")["owner"].to_list() == [OWNER]
    assert hist.filter(actor="bo")["note"].to_list() == [NOTE]
    assert (row["owner"], row["note"]) == (OWNER, NOTE)  # neither edit overwrote the other

    # a new server process on the same lakehouse shows the same state
    with e2e.streamlit_server(root, env=env) as (url, _proc), e2e.browser() as b:
        page = _open(b, url, "ana", "ana-password-123")
        editor = _grid_text(page, "Evidence says")
        assert OWNER in editor and NOTE in editor
        e2e.screenshot(page, "readiness_after_restart")
