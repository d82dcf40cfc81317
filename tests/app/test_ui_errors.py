"""Errors are translated once: plain words for every role; server paths, file names and DuckDB's own
words only for administrators. ``ui.value`` gives a panel's value or None (and "no data" its own
message), so a later panel never meets an unbound name."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from streamlit.testing.v1 import AppTest

from analytics.errors import InputError, LakehouseError, QueryError
from app import auth, ui
from apptest import open_page


def test_redact_removes_paths_file_names_and_engine_words():
    assert ui.redact("The lakehouse path /srv/scaleboard/lake is not a folder.") == \
        "The lakehouse path is not a folder."
    assert ui.redact(r"The user file C:\srv\users.toml is not valid TOML (bad key).") == \
        "The user file is not valid TOML (bad key)."
    assert ui.redact("Table 'predictions', column 'score': cannot read as double (Conversion Error: "
                     "Could not convert string 'x' to DOUBLE)") == \
        "Table 'predictions', column 'score': cannot read as double."
    assert ui.redact("Skipped 'part-00017.parquet' in month=2026-01") == "Skipped in month=2026-01."
    # sentences without server details stay as they are; URLs and ratios are not paths
    for kept in ("Row 3: month 2026-13-01 is not a date; write it as YYYY-MM-01.",
                 "Evidence link is not an http(s) URL: see https://wiki.example.com/a/b.",
                 "ROI is benefit/cost."):
        assert ui.redact(kept) == kept


def test_describe_gives_plain_words_and_details_for_admins_only():
    q = QueryError("roi_portfolio_value", "IO Error: No magic bytes found at end of file '/lake/x/p.parquet'")
    plain, detail = ui.describe(q, details=False)
    assert plain == ui.PLAIN_QUERY_ERROR and detail is None
    plain, detail = ui.describe(q, details=True)
    assert plain == ui.PLAIN_QUERY_ERROR and "/lake/x/p.parquet" in detail and "IO Error" in detail
    plain, detail = ui.describe(LakehouseError("The lakehouse path /a/b is not a folder.", hint="Set it."),
                                details=True)
    assert plain == "The lakehouse path is not a folder.\n\nSet it." and "/a/b" in detail
    assert ui.describe(InputError("A reason is required."), details=True) == ("A reason is required.", None)
    assert ui.describe(KeyError("model_id"), details=False) == (ui.PLAIN_UNEXPECTED, None)
    assert ui.describe(KeyError("model_id"), details=True)[1] == "KeyError: 'model_id'"


def _panels_script():
    import duckdb
    import polars as pl
    import streamlit as st

    from analytics import sql
    from analytics.errors import NoDataError
    from analytics.lakehouse import connection
    from app import ui

    with ui.panel("Broken file"):  # a real DuckDB error naming a real file
        sql.query(duckdb.connect(), "select * from read_parquet($path)", path=st.session_state["bad_parquet"])
    with ui.panel("Broken lakehouse"):
        connection.connect(st.session_state["bad_root"])
    with ui.panel("Broken code"):
        {}["model_id"]
    with ui.panel("Nothing in the window"):
        raise NoDataError("No data for 'basket_size' in either window.")
    first = ui.value(lambda: sql.query(duckdb.connect(), "select * from no_such_table", name="first_panel"))
    empty = ui.value(lambda: pl.DataFrame({"a": []}), empty="Nothing to show for this window.")
    rows = ui.value(lambda: pl.DataFrame({"a": [1, 2]}), empty="Nothing to show for this window.")
    st.write(f"after: first={first is None} empty={empty is None} rows={rows.height}")


def _run_panels(tmp_path: Path, role: str) -> tuple[AppTest, Path, Path]:
    bad_parquet = tmp_path / "part-0001.parquet"
    bad_parquet.write_bytes(b"PAR1 not really a parquet file")
    bad_root = tmp_path / "lakehouse-file"
    bad_root.write_text("not a folder")
    at = AppTest.from_function(_panels_script, default_timeout=60)
    at.session_state["user"] = auth.test_session(role)
    at.session_state["bad_parquet"] = str(bad_parquet)
    at.session_state["bad_root"] = str(bad_root)
    return at.run(), bad_parquet, bad_root


@pytest.mark.parametrize("role", ["executive", "steward", "product_manager", "data_scientist"])
def test_non_admins_read_plain_words_only(tmp_path, role):
    at, bad_parquet, bad_root = _run_panels(tmp_path, role)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 4, errors
    assert errors[0] == ui.PLAIN_QUERY_ERROR and errors[3] == ui.PLAIN_QUERY_ERROR
    assert errors[1].startswith("The lakehouse path is not a folder.")
    assert errors[2] == ui.PLAIN_UNEXPECTED
    shown = " ".join(errors)
    for secret in (str(tmp_path), bad_parquet.name, "parquet", "Input Error", "magic bytes", "Catalog Error", "no_such_table",
                   "KeyError", "model_id", "Details"):
        assert secret not in shown, (secret, shown)
    # the panels after the failures still ran, and "no data" is information, not an error
    assert [i.value for i in at.info] == ["No data for 'basket_size' in either window.",
                                          "Nothing to show for this window."]
    assert any("after: first=True empty=True rows=2" in m.value for m in at.markdown)


def test_admins_also_see_the_technical_details(tmp_path):
    at, bad_parquet, bad_root = _run_panels(tmp_path, "admin")
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 4, errors
    assert all("Details (administrators only)" in e for e in errors)
    assert errors[0].startswith(ui.PLAIN_QUERY_ERROR)
    assert str(bad_parquet) in errors[0] and "Invalid Input Error: No magic bytes" in errors[0]
    assert str(bad_root) in errors[1]
    assert "KeyError: 'model_id'" in errors[2]
    assert "Catalog Error" in errors[3] and "no_such_table" in errors[3]


@pytest.fixture
def broken_ledger(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo lakehouse with one ledger file whose amount is text: the ROI queries fail
    in DuckDB ("Conversion Error")."""
    root = tmp_path / "lakehouse"
    shutil.copytree(demo_root, root)
    pq.write_table(pa.table({"month": [date(2026, 10, 1)], "model_id": ["churn_propensity"],
                             "category": ["infrastructure"], "amount_usd": ["twelve thousand"],
                             "attribution": ["estimated"], "entered_by": ["someone"]}),
                   root / "value_ledger" / "typed-by-hand.parquet")
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    return root


def test_a_real_page_hides_duckdb_internals_from_a_product_manager(broken_ledger):
    at = open_page("roi", "product_manager", timeout=90)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors and all(e.startswith(ui.PLAIN_QUERY_ERROR) for e in errors), errors
    assert not any("Conversion Error" in e or "roi_" in e or "Details" in e for e in errors), errors
    assert [t.value for t in at.title] == ["Value & ROI"]  # the page itself still draws


def test_a_real_page_shows_duckdb_internals_to_an_admin(broken_ledger):
    at = open_page("roi", "admin", timeout=90)
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert errors and all("Details (administrators only)" in e for e in errors), errors
    assert any("Conversion Error" in e and "twelve thousand" in e for e in errors), errors
