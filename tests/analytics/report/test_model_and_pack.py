"""A model's one-page health report and the overview's XLSX pack hold the analytics functions' figures;
the shell command writes both and fails clearly on bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from pdfcheck import in_order, reader, text
from xlsxcheck import Workbook

from analytics import alerts
from analytics.cli import main
from analytics.drift import monitor as drift_monitor
from analytics.lakehouse import connection
from analytics.product import adoption, overview, portfolio, roi
from analytics.product.scope import Scope, period_range
from analytics.report import fmt
from analytics.report import model as model_report
from analytics.report import overview as overview_report

START, END = date(2025, 11, 1), date(2026, 10, 31)
NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)
SCOPE = Scope(START, END)


@pytest.fixture(scope="module")
def con(demo_root):
    c = connection.connect(demo_root)
    yield c
    c.close()


def _model_with_alerts(con) -> str:
    att = overview.models_needing_attention(con, SCOPE)
    assert att.height > 0
    return att["model_id"][0]


def test_model_report_is_one_page_with_the_functions_figures(con, demo_root):
    model_id = _model_with_alerts(con)
    data = model_report.model_pdf(con, SCOPE, root=demo_root, model_id=model_id, now=NOW)
    assert len(reader(data).pages) == 1
    got = text(data)
    v = roi.model_value(con, SCOPE).filter(pl.col("model_id") == model_id).row(0, named=True)
    a = adoption.adoption_by(con, SCOPE, "model_id") \
        .filter(pl.col("model_id") == model_id).row(0, named=True)
    att = overview.models_needing_attention(con, SCOPE).filter(pl.col("model_id") == model_id).row(0, named=True)
    n_open = alerts.open_alerts(con).filter(pl.col("model_id") == model_id).height
    assert f"Net value in the window {fmt.usd(v['net_usd'])} benefit {fmt.usd(v['benefit_usd'])}, " \
           f"cost {fmt.usd(v['cost_usd'])}" in got
    assert f"ROI {v['roi'] * 100:.2f}%" in got  # the Value & ROI page's model table shows ROI in percent
    assert f"NPV {fmt.usd(v['npv_usd'])}" in got and f"Net to date {fmt.usd(v['net_to_date_usd'])}" in got
    assert f"Adoption rate {fmt.pct(a['adoption_rate'])} {a['n_tried']:,} of {a['n_eligible']:,} eligible" in got
    assert f"Open alerts {n_open} severity {att['severity']}" in got
    assert f"Monthly value at risk {fmt.usd(att['value_at_risk_usd'])}" in got
    # the drift table: the newest version over the explorer's default windows
    version = drift_monitor.model_versions(con).filter(pl.col("model_id") == model_id)["version"][0]
    w = drift_monitor.default_windows(con, str(demo_root), model_id, version)
    table = drift_monitor.drift_table(con, root=str(demo_root), model_id=model_id, version=version,
                                      ref_start=w.ref_start, ref_end=w.ref_end, cur_start=w.cur_start,
                                      cur_end=w.cur_end)
    for row in table.head(model_report.MAX_FEATURES).iter_rows(named=True):
        assert in_order(got, [row["column"], row["status"], row["method"], f"{row['statistic']:.3f}"]), row["column"]
    assert f"newest version {version}" in got and f"current {w.cur_start:%-d %b %Y}" in got


def test_unknown_model_is_a_clear_error(con, demo_root):
    from analytics.errors import InputError

    with pytest.raises(InputError, match="no model 'nope'"):
        model_report.model_pdf(con, SCOPE, root=demo_root, model_id="nope")


def test_overview_pack_has_one_sheet_per_table_with_typed_figures(con):
    book = Workbook(overview_report.overview_xlsx(con, SCOPE, now=NOW))
    assert book.names() == ["Headline figures", "Models that need attention", "Value by month",
                            "Value by business unit", "Models that never paid off", "Readiness to scale"]
    for name in book.names():
        assert book.frozen_rows(name) == 1
    rows = book.cells("Models that need attention")
    assert [c["value"] for c in rows[0]] == ["Model", "Business unit", "Severity", "Why", "Since",
                                            "Value at risk / month ($)"]
    att = overview.models_needing_attention(con, SCOPE)
    assert [r[0]["value"] for r in rows[1:]] == att["name"].to_list()
    assert [r[5]["value"] for r in rows[1:]] == pytest.approx(att["value_at_risk_usd"].to_list())
    assert {r[5]["format"] for r in rows[1:]} == {"#,##0"}
    figures = {r[0]["value"]: r for r in book.cells("Headline figures")[1:]}
    v = roi.portfolio_value(con, SCOPE)
    assert figures["Value delivered"][1]["value"] == pytest.approx(v.net_usd)
    assert figures["Value delivered"][2]["value"] == pytest.approx(v.prev_net_usd)
    by_month = book.cells("Value by month")
    assert len(by_month) - 1 == roi.value_by_month(con, SCOPE).height


def test_cli_writes_pdf_and_xlsx_for_a_period(demo_root, tmp_path, capsys):
    pdf, xlsx = tmp_path / "o.pdf", tmp_path / "o.xlsx"
    code = main(["report", "overview", "--lakehouse", str(demo_root), "--out", str(pdf), "--xlsx", str(xlsx),
                 "--period", "last-quarter", "--paper", "letter"])
    assert code == 0, capsys.readouterr()
    con = connection.connect(demo_root)
    opts = portfolio.filter_options(con)
    start, end = period_range("Last quarter", opts.max_date, opts.min_date)
    v = roi.portfolio_value(con, Scope(start, end))
    con.close()
    got = text(pdf.read_bytes())
    assert f"Window {start:%-d %b %Y} – {end:%-d %b %Y}" in got
    assert f"Value delivered {fmt.usd(v.net_usd)}" in got
    assert round(float(reader(pdf.read_bytes()).pages[0].mediabox.width)) == 612
    assert "Headline figures" in Workbook(xlsx.read_bytes()).names()
    model_pdf = tmp_path / "m.pdf"
    assert main(["report", "model", "churn_propensity", "--lakehouse", str(demo_root), "--out", str(model_pdf),
                 "--start", "2026-01-01", "--end", "2026-06-30"]) == 0
    assert "Churn propensity: model health" in text(model_pdf.read_bytes())


@pytest.mark.parametrize(("argv", "message"), [
    (["report", "model", "nope", "--out", "{tmp}/m.pdf"], "no model 'nope'"),
    (["report", "overview", "--out", "{tmp}/o.pdf", "--start", "2026-01-01"], "both --start and --end"),
    (["report", "overview"], "Nothing to write"),
    (["report", "overview", "--out", "{tmp}/missing/o.pdf"], "does not exist"),
])
def test_cli_bad_input_exits_2_with_a_sentence_and_writes_nothing(demo_root, tmp_path, capsys, argv, message):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv] + ["--lakehouse", str(demo_root)]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
