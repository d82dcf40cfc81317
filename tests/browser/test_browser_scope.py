"""Real browser (Chromium): a product manager scoped to Retail tries to reach Finance through the URL
(``?business_unit=Finance``) and through the filter; the page says Finance is outside the data scope,
the filter offers only Retail, and the CSV the page hands out holds Retail's rows only. Screenshot
in artifacts/scope_roi.png."""

from __future__ import annotations

import contextlib

import polars as pl
import pytest

import e2e
from analytics.governance import users

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.slow]
PASSWORD = "browser-test-password"


@pytest.fixture(scope="module")
def server(demo_root, tmp_path_factory):
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)
    folder = tmp_path_factory.mktemp("scope")
    path = folder / "users.toml"
    users.add_user(path, "pm-retail", "product_manager", PASSWORD, business_units=("Retail",))
    with e2e.streamlit_server(demo_root, env={"SCALEBOARD_USERS_FILE": str(path)}) as (url, _proc), \
            e2e.browser() as b:
        yield url, b


def _settled(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] [data-testid^='stStatusWidgetRunning']\")",
                           timeout=timeout_ms)
    page.wait_for_timeout(300)


def _open_options(page, select, attempts: int = 4) -> list[str]:
    """Open a multiselect's list and read its options. A click that lands while the script reruns is
    lost with the re-rendered widget, so click the text box again until the list (or its "No results")
    shows."""
    for _ in range(attempts):
        _settled(page)
        select.locator("input").first.click()
        with contextlib.suppress(Exception):
            page.locator("[role='listbox'], [data-baseweb='popover']").first.wait_for(timeout=5_000)
            page.wait_for_timeout(300)  # the options render just after their list
            return page.locator("[role='option']").all_inner_texts()
    raise AssertionError("the business-unit list never opened")


def test_scoped_manager_cannot_reach_finance_by_url_or_filter(server):
    url, b = server
    page = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{url}/roi?business_unit=Finance")
    page.get_by_label("User name").fill("pm-retail")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=60_000)
    page.get_by_text("Value & ROI").first.wait_for(timeout=60_000)
    _settled(page)
    assert page.locator("[data-testid='stException']").count() == 0
    # through the URL: refused, with a notice
    page.get_by_text("outside your data scope").first.wait_for(timeout=60_000)

    # through the filter: only Retail is offered
    unit_filter = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    options = _open_options(page, unit_filter)
    page.keyboard.press("Escape")
    # Retail is offered, or already chosen (the refused URL leaves the user's own unit selected)
    chosen = unit_filter.inner_text()
    assert {o.strip() for o in options} <= {"Retail"} and ("Retail" in chosen or options), (options, chosen)
    assert "Finance" not in chosen

    # what the page hands out: the per-unit table's CSV has Retail's rows only
    panel = page.locator("[data-testid='stVerticalBlock']", has_text="Portfolio by business unit").last
    got = e2e.download(page, panel.get_by_role("button", name="Download CSV").first)
    rows = pl.read_csv(got.path())
    assert rows.height >= 1 and set(rows["business_unit"]) == {"Retail"}
    e2e.screenshot(page, "scope_roi")
    page.close()
