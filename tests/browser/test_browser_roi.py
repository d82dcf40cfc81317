"""Real browser (Chromium), issue 12 items 4 and 5 on the Value & ROI page: the portfolio ROI is one
figure with one unit (net return on cost, %, no decimals) on the overview's tile, on the ROI page and
in the page's CSV (recomputed from the CSV's own benefit and cost columns); choosing a business unit
turns it into that unit's ROI (checked against DuckDB on the lakehouse's value ledger); choosing a
country, which the ledger cannot apply, leaves it unchanged and the page says the filter does not
apply. Screenshot in artifacts/roi_filters.png."""

from __future__ import annotations

import contextlib
from datetime import date
from urllib.parse import parse_qs, urlparse

import duckdb
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
    path = tmp_path_factory.mktemp("roi") / "users.toml"
    users.add_user(path, "pm-all", "product_manager", PASSWORD)
    with e2e.streamlit_server(demo_root, env={"SCALEBOARD_USERS_FILE": str(path)}) as (url, _proc), \
            e2e.browser() as b:
        yield url, b


def _settled(page, timeout_ms: int = 120_000) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector(\"[data-testid='stStatusWidget'] "
                           "[data-testid^='stStatusWidgetRunning']\")", timeout=timeout_ms)
    page.wait_for_timeout(300)


def _pick(page, select, option: str, attempts: int = 4) -> None:
    """Open a multiselect and click ``option``. A click that lands while the script reruns is lost with
    the re-rendered widget, so open it again until the option shows (as test_browser_scope does)."""
    for _ in range(attempts):
        _settled(page)
        select.locator("input").first.click()
        with contextlib.suppress(Exception):
            item = page.locator("[role='option']", has_text=option).first
            item.wait_for(timeout=5_000)
            item.click()
            page.keyboard.press("Escape")
            return
    raise AssertionError(f"the option {option!r} never showed")


def _tile(page, label: str, *, not_equal: str | None = None, timeout_ms: int = 120_000) -> str:
    """The value of the metric tile ``label`` once the page has settled (and, when ``not_equal`` is
    given, once the value differs from it: the rerun after a filter change has drawn)."""
    metric = page.locator("[data-testid='stMetric']", has_text=label).first
    metric.wait_for(timeout=timeout_ms)
    if not_equal is not None:
        page.wait_for_function(
            """([label, old]) => [...document.querySelectorAll("[data-testid='stMetric']")]
                 .some(m => m.innerText.includes(label)
                      && m.querySelector("[data-testid='stMetricValue']").innerText.trim() !== old)""",
            arg=[label, not_equal], timeout=timeout_ms)
    _settled(page)
    return metric.locator("[data-testid='stMetricValue']").inner_text().strip()


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"  # the convention: net return on cost, percent, no decimals


def _ledger_roi(root, start: date, end: date, unit: str | None) -> float:
    """The oracle: (benefit - cost) / cost over the ledger months whose first day is in [start, end],
    the newest entry per month, model, category and line, read straight from the Parquet files."""
    con = duckdb.connect()
    row = con.execute(f"""
        with entries as (
            select *, row_number() over (partition by month, model_id, category, coalesce(line_item, '')
                                         order by entered_at desc) as newest
            from read_parquet('{root}/value_ledger/**/*.parquet', union_by_name=true, hive_partitioning=false)
        ), current as (
            select e.*, m.business_unit from entries e join read_parquet('{root}/models/**/*.parquet', hive_partitioning=false) m
                using (model_id)
            where newest = 1 and month between ? and ? and (? is null or m.business_unit = ?)
        )
        select sum(amount_usd) filter (where category in ('incremental_revenue', 'cost_savings')),
               sum(amount_usd) filter (where category not in ('incremental_revenue', 'cost_savings'))
        from current""", [start, end, unit, unit]).fetchone()
    benefit, cost = row
    return (benefit - cost) / cost


def _window(page) -> tuple[date, date]:
    q = parse_qs(urlparse(page.url).query)
    return date.fromisoformat(q["from"][0]), date.fromisoformat(q["to"][0])


def test_roi_is_one_figure_and_follows_the_filters(server, demo_root):
    url, b = server
    page = b.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(f"{url}/overview")
    page.get_by_label("User name").fill("pm-all")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for(timeout=60_000)
    overview_roi = _tile(page, "Portfolio ROI")

    # the same figure, same unit and rounding, on the ROI page
    page.locator("[data-testid='stSidebarNav'] a", has_text="Value & ROI").first.click()
    page.get_by_role("heading", name="Value & ROI").wait_for(timeout=60_000)
    roi_page = _tile(page, "Portfolio ROI")
    assert page.locator("[data-testid='stException']").count() == 0
    assert roi_page == overview_roi and roi_page.endswith("%"), (overview_roi, roi_page)
    start, end = _window(page)
    assert roi_page == _pct(_ledger_roi(demo_root, start, end, None)), (roi_page, start, end)

    # ... and in the CSV the page hands out, recomputed from the CSV's own benefit and cost
    panel = page.locator("[data-testid='stVerticalBlock']", has_text="Portfolio by business unit").last
    with page.expect_download(timeout=60_000) as dl:
        panel.get_by_role("button", name="Download CSV").first.click()
    rows = pl.read_csv(dl.value.path())
    benefit, cost = rows["benefit_usd"].sum(), rows["cost_usd"].sum()
    assert _pct((benefit - cost) / cost) == roi_page, (benefit, cost, roi_page)
    # every row's ROI is the same idea in the same unit: a fraction, (benefit - cost) / cost
    for r in rows.iter_rows(named=True):
        assert abs(r["roi"] - (r["benefit_usd"] - r["cost_usd"]) / r["cost_usd"]) < 0.005, r

    # a business unit: the figure becomes that unit's
    units = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']")
    _pick(page, units.first, "Finance")
    finance = _tile(page, "Portfolio ROI", not_equal=roi_page)
    assert finance == _pct(_ledger_roi(demo_root, start, end, "Finance")), finance
    assert _window(page) == (start, end)

    # a country: the ledger has no country, so the figure stays and the page says the filter does not apply
    _pick(page, units.nth(1), "DE")
    page.get_by_text("Country filter does not apply").first.wait_for(timeout=60_000)
    assert _tile(page, "Portfolio ROI") == finance
    assert page.locator("[data-testid='stException']").count() == 0
    e2e.screenshot(page, "roi_filters")
    page.close()
