"""The overview PDF says what the dashboard says: every figure read back from the PDF's text equals the
analytics function's value, printed by the formatter the page uses; the layout fits the paper."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from pdfcheck import boxes, in_order, page_texts, reader, text

from analytics.lakehouse import connection
from analytics.product import adoption, kpis, overview, portfolio, roi
from analytics.product.scope import Scope
from analytics.readiness import summary
from analytics.report import fmt
from analytics.report import overview as report
from analytics.report.pdf import MARGIN

START, END = date(2025, 11, 1), date(2026, 10, 31)
NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
SCOPE = Scope(START, END)  # twelve whole months, as the "Last 12 months" preset


@pytest.fixture(scope="module")
def con(demo_root):
    c = connection.connect(demo_root)
    yield c
    c.close()


@pytest.fixture(scope="module")
def pdf(con) -> bytes:
    return report.overview_pdf(con, SCOPE, now=NOW)


def _tile(title: str, value: str, delta: str | None, note: str | None = None) -> list[str]:
    return [title, value] + ([f"{delta} vs previous period"] if delta else []) + ([note] if note else [])


def test_every_headline_figure_equals_the_kpi_function(con, pdf):
    # the oracle: each KPI's own registry function, called apart from the report's snapshot
    v = roi.portfolio_value(con, SCOPE)
    a = adoption.adoption_summary(con, SCOPE)
    s = overview.stage_summary(con, SCOPE)
    r = overview.risk_summary(con, SCOPE)
    rd = summary.readiness_summary(con)
    got = text(pdf)
    expected = [
        _tile("Value delivered", fmt.usd(v.net_usd), fmt.delta("usd", v.net_usd, v.prev_net_usd)),
        _tile("Value to date", fmt.usd(v.value_to_date_usd), None, "since first ledger month"),
        _tile("Portfolio ROI", fmt.pct(v.roi), fmt.delta("percent", v.roi, v.prev_roi)),  # 152%, +15.0 pts
        _tile("Adoption rate", fmt.pct(a.adoption_rate), fmt.delta("share", a.adoption_rate, a.prev_adoption_rate),
              f"{a.active_seats:,} of {a.eligible_seats:,} seats"),
        _tile("Models in production", str(s.n_production), fmt.delta("count", s.n_production, s.prev_production),
              f"{s.n_pilot} in pilot, {s.n_retired} retired"),
        _tile("Models at risk", str(r.n_models_at_risk), None, f"{r.n_critical} critical"),
        _tile("Monthly value at risk", fmt.usd(r.value_at_risk_usd), None, "per month, open alerts"),
        _tile("Readiness", fmt.pct(rd.share_done), fmt.delta("share", rd.share_done, rd.prev_share_done),
              f"{rd.n_done} of {rd.n_items} done"),
    ]
    assert [k.title for k in kpis.REGISTRY] == [e[0] for e in expected]  # every registry KPI is on the page
    for tile in expected:
        assert " ".join(tile) in got, tile
    assert r.n_models_at_risk > 0 and v.net_usd != 0  # the demo exercises non-trivial figures


def test_table_rows_equal_the_analytics_rows(con, pdf):
    got = text(pdf)
    attention = overview.models_needing_attention(con, SCOPE)
    assert attention.height > 0
    for row in attention.iter_rows(named=True):
        assert in_order(got, [row["name"], row["business_unit"], row["severity"].capitalize(),
                              " ".join(row["reasons"].split()), f"{row['since_at']:%-d %b %Y}",
                              f"{row['value_at_risk_usd']:,.0f}"]), row["name"]
    never = overview.model_payback(con, SCOPE).filter(pl.col("payback_month").is_null())
    assert never.height > 0
    for row in never.iter_rows(named=True):
        assert in_order(got, [row["name"], row["business_unit"], row["stage"].capitalize(),
                              f"{row['first_month']:%b %Y}", f"{row['benefit_to_date_usd']:,.0f}",
                              f"{row['cost_to_date_usd']:,.0f}", f"{row['net_to_date_usd']:,.0f}"]), row["name"]
    items = summary.readiness_summary(con).items
    for row in items.sort("is_overdue", descending=True).iter_rows(named=True):
        due = f"{row['due_date']:%-d %b %Y}" if row["due_date"] else "–"
        assert in_order(got, [row["title"], row["owner"], row["status"].replace("_", " ").capitalize(), due,
                              "Yes" if row["is_overdue"] else "No"]), row["title"]


def test_footer_on_every_page_has_filters_data_as_of_and_page_numbers(con, pdf):
    pages = page_texts(pdf)
    last = portfolio.filter_options(con).max_date
    for n, page in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in page
        assert "Filters: Window 1 Nov 2025 – 31 Oct 2026 · business units: all · countries: all" in page
        assert f"Data as of {last:%-d %b %Y} (newest prediction day)" in page
        assert "generated 2 Nov 2026 07:30 UTC" in page


def test_filters_are_applied_and_printed(con):
    data = report.overview_pdf(con, Scope(START, END, ("Finance",), ("DE", "FR")), now=NOW)
    got = text(data)
    assert "business units: Finance · countries: DE, FR" in got
    v = roi.portfolio_value(con, Scope(START, END, ("Finance",)))
    assert f"Value delivered {fmt.usd(v.net_usd)}" in got


@pytest.mark.parametrize(("paper", "size"), [("a4", (595, 842)), ("letter", (612, 792))])
def test_every_text_run_lies_inside_the_margins_on_both_papers(con, paper, size):
    data = report.overview_pdf(con, SCOPE, paper=paper, now=NOW)
    page = reader(data).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
    runs = boxes(data)
    assert len(runs) > 100
    cut = [r for r in runs if r[1] < MARGIN - 0.5 or r[2] > r[3] - MARGIN + 0.5]
    assert not cut, cut[:5]
    assert "Value at risk /" in text(data)  # the attention table's last column is there


def test_charts_are_vector_drawings_not_images(pdf):
    for page in reader(pdf).pages:
        assert not page.images
    assert in_order(text(pdf), ["Value over time by business unit", "Finance", "Who creates the value"])
