"""Tables leave the app as the page shows them: CSV rounded to the digits on screen and formula-safe;
XLSX with typed cells, the page's number formats, a frozen header, text never a formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import polars as pl
import pytest
import streamlit as st
from xlsxcheck import Workbook

from analytics.report.tables import Col, cols_from_config, csv_bytes, moment, number
from analytics.report.xlsx import Sheet, sheet_name, xlsx_bytes

EXCEL_EPOCH = date(1899, 12, 30)


def _frame() -> pl.DataFrame:
    return pl.DataFrame({
        "name": ["=HYPERLINK(\"http://x\",\"click\")", "Churn", None],
        "net_usd": [1234.567, -89.5, None],
        "roi": [0.123456, 1.5, None],
        "month": [date(2026, 10, 1), date(2026, 9, 1), None],
        "opened_at": [datetime(2026, 10, 31, 23, 30, tzinfo=UTC), None, None],
        "n_users": [12345, 0, 7],
        "is_late": [True, False, None],
        "statistic": [0.12345, 2.0, float("nan")],
    }, schema_overrides={"opened_at": pl.Datetime("us", "UTC")})


def _config() -> dict:
    # the page's own column_config, as Streamlit builds it
    return {"name": st.column_config.Column("Model"),
            "net_usd": st.column_config.NumberColumn("Net ($)", format="%,.0f"),
            "roi": st.column_config.NumberColumn("ROI", format="percent"),
            "month": st.column_config.DatetimeColumn("Month", format="MMM YYYY"),
            "opened_at": st.column_config.DatetimeColumn("Opened", format="D MMM YYYY, HH:mm"),
            "n_users": st.column_config.NumberColumn("Users", format="localized"),
            "is_late": st.column_config.CheckboxColumn("Late"),
            "statistic": st.column_config.NumberColumn("Statistic", format="%.3f")}


def test_columns_from_the_page_config_print_as_the_page_does():
    cols = {c.name: c for c in cols_from_config(_frame(), _config())}
    assert [c.label for c in cols.values()] == ["Model", "Net ($)", "ROI", "Month", "Opened", "Users", "Late",
                                                "Statistic"]
    assert cols["net_usd"].text(1234.567) == "1,235" and cols["net_usd"].text(-89.5) == "-90"
    assert cols["roi"].text(0.123456) == "12.35%"
    assert cols["month"].kind == "date" and cols["month"].text(date(2026, 10, 1)) == "Oct 2026"
    assert cols["opened_at"].text(datetime(2026, 10, 31, 23, 30, tzinfo=UTC)) == "31 Oct 2026, 23:30"
    assert cols["n_users"].text(12345) == "12,345" and cols["is_late"].text(True) == "Yes"
    assert cols["statistic"].text(0.12345) == "0.123" and cols["statistic"].text(None) == "–"
    assert number(0.1234, "$%.4f") == "$0.1234" and number(4, "%d ★") == "4 ★"
    assert moment(date(2026, 3, 3), "D MMM YYYY") == "3 Mar 2026"


def test_csv_rounds_to_the_digits_shown_and_neutralises_formulas():
    df = _frame()
    rows = list(csv.DictReader(io.StringIO(csv_bytes(df, cols_from_config(df, _config())).decode())))
    assert rows[0]["name"] == "'=HYPERLINK(\"http://x\",\"click\")"  # a quote: text, not a formula
    assert [r["net_usd"] for r in rows] == ["1235", "-90", ""]  # whole dollars, as on the page
    assert [r["roi"] for r in rows] == ["0.1235", "1.5", ""]  # 12.35% on the page
    assert rows[0]["statistic"] == "0.123" and rows[1]["statistic"] == "2.0"
    assert rows[0]["n_users"] == "12345"  # counts are whole already: unchanged
    assert rows[0]["month"] == "2026-10-01"
    # without the page's formats (e.g. a page's own CSV button) the values are kept, still formula-safe
    plain = list(csv.DictReader(io.StringIO(csv_bytes(df).decode())))
    assert plain[0]["net_usd"] == "1234.567" and plain[0]["name"].startswith("'=")


def test_xlsx_cells_are_typed_formatted_and_never_formulas():
    df = _frame()
    book = Workbook(xlsx_bytes([Sheet("Models: ROI/NPV", df, cols_from_config(df, _config()))]))
    assert book.names() == ["Models  ROI NPV"]  # ':' and '/' are not allowed in sheet names
    rows = book.cells("Models  ROI NPV")
    assert [c["value"] for c in rows[0]] == ["Model", "Net ($)", "ROI", "Month", "Opened (UTC)", "Users", "Late",
                                            "Statistic"]
    assert book.frozen_rows("Models  ROI NPV") == 1
    first = dict(zip(["name", "net_usd", "roi", "month", "opened_at", "n_users", "is_late", "statistic"], rows[1],
                     strict=True))
    assert first["name"]["type"] == "s" and first["name"]["formula"] is None
    assert first["name"]["value"] == "=HYPERLINK(\"http://x\",\"click\")"  # shown as text, never run
    assert first["net_usd"] == {"type": "n", "value": 1234.567, "format": "#,##0", "formula": None}
    assert first["roi"]["value"] == 0.123456 and first["roi"]["format"] == "0.00%"
    assert first["month"]["value"] == (date(2026, 10, 1) - EXCEL_EPOCH).days
    assert first["month"]["format"] == "mmm yyyy"
    opened = (datetime(2026, 10, 31, 23, 30) - datetime(1899, 12, 30)).total_seconds() / 86400
    assert first["opened_at"]["value"] == pytest.approx(opened) and first["opened_at"]["format"] == "d mmm yyyy, hh:mm"
    assert first["n_users"]["format"] == "#,##0"
    assert first["is_late"]["type"] == "b" and first["is_late"]["value"] is True
    assert first["statistic"]["format"] == "0.000"
    assert all(c["type"] is None for c in rows[3][:3])  # missing values are empty cells, not "None"


def test_sheet_names_are_unique_and_short():
    taken: set[str] = set()
    assert sheet_name("x" * 40, taken) == "x" * 31
    assert sheet_name("x" * 40, taken) == "x" * 27 + " (2)"
    assert sheet_name("", taken) == "Sheet"


def test_a_frame_without_config_gets_labels_and_types():
    df = pl.DataFrame({"cost_usd": [1.5], "day": [date(2026, 1, 2)]})
    book = Workbook(xlsx_bytes([Sheet("t", df, [Col("cost_usd", "Cost", "number"), Col("day", "Day", "date")])]))
    rows = book.cells("t")
    assert rows[1][0]["value"] == 1.5 and rows[1][1]["format"] == "d mmm yyyy"
