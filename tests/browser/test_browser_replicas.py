"""Two replicas on one lakehouse (issue: replicas in containers): two `streamlit run` servers share a
lakehouse folder; a product manager on each enters a ledger row through the Value & ROI form at the
same time. No update is lost, and each server shows the other's write at its next rerun (caches are
keyed on the lakehouse version, not on the process)."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest

import e2e
from analytics.governance import users
from analytics.lakehouse import connection
from analytics.product import roi
from analytics.product.scope import Scope

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.slow]
PASSWORD = "replica-test-password"
DEADLINE_MS = 180_000  # a loaded 2-core machine serving two apps and two browsers


def _settled(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] "
                           "[data-testid^='stStatusWidgetRunning']\")", timeout=DEADLINE_MS)
    page.wait_for_timeout(300)


def _metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def _open_roi(b, url: str):
    page = b.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(DEADLINE_MS)
    page.goto(url)
    page.get_by_label("User name").fill("pm-rep")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
    page.locator("[data-testid='stSidebarNav'] a", has_text="Value & ROI").click()
    page.get_by_role("heading", name="Value & ROI").first.wait_for()
    _settled(page)
    return page


def _rerun(page) -> None:
    """A plain rerun, as any widget interaction causes (the page's own nav link)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text="Value & ROI").click()
    _settled(page)


def _enter(page, model_id: str, amount: str, note: str) -> None:
    form = page.locator("[data-testid='stForm']")
    for box, value in ((0, model_id), (1, "infrastructure")):
        form.locator("[data-testid='stSelectbox']").nth(box).click()
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
    form.get_by_label("Amount (USD)").fill(amount)
    form.get_by_label("Note").fill(note)
    form.get_by_role("button", name="Add entry").click()
    page.get_by_text("Added 1 ledger row(s)").first.wait_for()
    _settled(page)


def test_two_servers_on_one_lakehouse_lose_nothing_and_see_each_other(demo_root, tmp_path):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    root = tmp_path / "lakehouse"
    shutil.copytree(demo_root, root)
    path = tmp_path / "users.toml"
    users.add_user(path, "pm-rep", "product_manager", PASSWORD)
    with connection.connect(root) as con:
        models = [r[0] for r in con.sql("select model_id from models where stage = 'production' "
                                        "order by model_id limit 2").fetchall()]
    env = {"SCALEBOARD_USERS_FILE": str(path)}
    with e2e.streamlit_server(root, env=env, timeout=120) as (url_a, _a), \
            e2e.streamlit_server(root, env=env, timeout=120) as (url_b, _b), e2e.browser() as b:
        page_a, page_b = _open_roi(b, url_a), _open_roi(b, url_b)
        assert _metric(page_a, "Cost") == _metric(page_b, "Cost")

        # one write through each server, each seen by the other at its next rerun
        _enter(page_a, models[0], "111111", "replica A")
        _rerun(page_b)
        assert _metric(page_b, "Cost") == _metric(page_a, "Cost"), "B does not show A's write"
        _enter(page_b, models[1], "222222", "replica B")
        _rerun(page_a)
        assert _metric(page_a, "Cost") == _metric(page_b, "Cost"), "A does not show B's write"
        for page in (page_a, page_b):
            assert page.locator("[data-testid='stException']").count() == 0

    month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
    with connection.connect(root) as con:
        hist = roi.ledger_history(con, Scope(month, month))
    notes = set(hist.filter(hist["category"] == "infrastructure")["note"].to_list())
    assert {"replica A", "replica B"} <= notes  # 0 lost updates
