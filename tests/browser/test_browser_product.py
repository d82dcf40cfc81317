"""Real browser (Chromium), the product manager's weekly review (JOURNEYS.md): filter to a business
unit, read adoption, enter last month's actual cost for a model on the Value & ROI page and see the
cost and ROI move, with the old figure kept in the history under the manager's name; play the what-if.
Screenshots go to artifacts/product_*.png."""

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
PASSWORD = "browser-test-password"


def _settled(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] "
                           "[data-testid^='stStatusWidgetRunning']\")", timeout=e2e.DEADLINE_MS)
    page.wait_for_timeout(300)


def _metric(page, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return box.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_product_manager_enters_a_cost_and_sees_roi_update(demo_root, tmp_path):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    root = tmp_path / "lakehouse"
    shutil.copytree(demo_root, root)  # this test writes to the ledger
    path = tmp_path / "users.toml"
    users.add_user(path, "pm-anna", "product_manager", PASSWORD)
    with connection.connect(root) as con:
        model = con.sql("select model_id, name, business_unit from models where stage = 'production' "
                        "order by model_id limit 1").fetchall()[0]
    model_id, model_name, unit = model
    month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)  # the form's default

    with e2e.streamlit_server(root, env={"SCALEBOARD_USERS_FILE": str(path)}) as (url, _proc), \
            e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_label("User name").fill("pm-anna")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as").wait_for(timeout=e2e.DEADLINE_MS)
        _settled(page)

        # 1. adoption for their business unit
        page.locator("[data-testid='stSidebarNav'] a", has_text="Adoption").click()
        page.get_by_role("heading", name="Adoption").first.wait_for(timeout=e2e.DEADLINE_MS)
        _settled(page)
        all_units = _metric(page, "Eligible seats")
        page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first.click()
        page.get_by_role("option", name=unit, exact=True).click()
        page.keyboard.press("Escape")
        _settled(page)
        assert _metric(page, "Eligible seats") != all_units
        assert page.get_by_text("Teams lagging behind").count() == 1
        e2e.screenshot(page, "product_adoption")

        # 2-3. Value & ROI: enter this month's infrastructure cost through the form
        page.locator("[data-testid='stSidebarNav'] a", has_text="Value & ROI").click()
        page.get_by_role("heading", name="Value & ROI").first.wait_for(timeout=e2e.DEADLINE_MS)
        _settled(page)
        cost_before, roi_before = _metric(page, "Cost"), _metric(page, "Portfolio ROI")
        form = page.locator("[data-testid='stForm']")
        # the form offers the model by name and the category in words; the ledger keeps the codes
        for box, value in ((0, model_name), (1, "Infrastructure")):  # model, category: type to pick
            form.locator("[data-testid='stSelectbox']").nth(box).click()
            page.keyboard.type(value)
            page.keyboard.press("Enter")
            page.wait_for_timeout(300)
        picked = [form.locator("[data-testid='stSelectbox']").nth(i).locator("input").input_value() for i in (0, 1)]
        assert picked == [model_name, "Infrastructure"]
        form.get_by_label("Amount (USD)").fill("250000")
        form.get_by_label("Note").fill("actual cloud invoice")
        form.get_by_role("button", name="Add entry").click()
        page.get_by_text("Added 1 ledger row(s)").first.wait_for(timeout=e2e.DEADLINE_MS)
        _settled(page)
        assert page.locator("[data-testid='stException']").count() == 0
        assert _metric(page, "Cost") != cost_before and _metric(page, "Portfolio ROI") != roi_before
        e2e.screenshot(page, "product_roi_after_entry")

        # 5. what-if: adoption up 20% (the default) changes the scenario figure
        assert _metric(page, "Scenario / year") != _metric(page, "Net / year")

    # the entry is in force, under the manager's name, and older figures stay in the history
    with connection.connect(root) as con:
        hist = roi.ledger_history(con, Scope(month, month))
    mine = hist.filter((hist["model_id"] == model_id) & (hist["category"] == "infrastructure")
                       & (hist["entered_by"] == "pm-anna"))
    assert mine.height == 1 and mine["is_current"].item() and mine["amount_usd"].item() == 250000
