"""The SQL gateway's habits: timing per named query, a row cap with a truncated flag that reaches the
caller (across parallel workers), a time limit that interrupts DuckDB, and no inline SQL in product
code."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from analytics import parallel, sql
from analytics.errors import QueryError

PRODUCT = Path(sql.__file__).resolve().parents[1] / "product"


def test_timing_is_kept_per_named_query():
    sql.reset_timings()
    con = duckdb.connect()
    con.sql("create table models as select 'm' || i as model_id, 'Retail' as business_unit, 'M' as name "
            "from range(3) t(i)")
    for _ in range(3):
        sql.run(con, "model_names", business_units=None)
    t = sql.timings().filter(query="model_names").row(0, named=True)
    assert t["calls"] == 3 and 0 < t["mean_ms"] <= t["max_ms"] and t["failures"] == 0


def test_row_cap_sets_truncated_and_reaches_the_caller_across_workers(monkeypatch):
    con = duckdb.connect()
    con.sql("create table models as select 'm' || i as model_id, 'Retail' as business_unit, 'M' as name "
            "from range(50) t(i)")
    res = sql.fetch(con, "model_names", row_cap=10, business_units=None)
    assert res.truncated and res.frame.height == 10
    assert not sql.fetch(con, "model_names", row_cap=50, business_units=None).truncated
    monkeypatch.setattr(sql, "ROW_CAP", 7)
    with sql.serving() as cut:
        out = parallel.run_all(con, {"a": (lambda c: sql.run(c, "model_names", business_units=None), {}),
                                     "b": (lambda c: sql.run(c, "model_names", business_units=["x"]), {})},
                               workers=2)
    assert out["a"].height == 7 and out["b"].height == 0
    assert cut == ["model_names"]  # only the query that was cut
    # the pipeline (refresh, CLI) is not serving a page: nothing is cut, so nothing is lost
    assert sql.run(con, "model_names", business_units=None).height == 50


def test_time_limit_interrupts_a_long_query(monkeypatch):
    monkeypatch.setattr(sql, "TIME_LIMIT_S", 0.5)
    con = duckdb.connect()
    t0 = time.perf_counter()
    with sql.serving(), pytest.raises(QueryError, match="time limit"):
        sql.query(con, "select count(*) from range(100000000000) a", name="too_long")
    assert time.perf_counter() - t0 < 10
    assert sql.timings().filter(query="too_long")["failures"][0] >= 1


def test_no_inline_sql_in_analytics_code():
    """Queries live in files: analytics modules call sql.run/scope.run by name, never sql.query."""
    for path in PRODUCT.parent.rglob("*.py"):
        if path.parent.name in ("sql", "demo") or path.parent.parent.name == "demo":
            continue
        text = path.read_text()
        assert "sql.query(" not in text, path


def test_admin_page_shows_the_timings(app_env):
    """An administrator sees each named query's timing on the Users & audit log page."""
    from apptest import open_page

    sql.reset_timings()
    con = duckdb.connect()
    con.sql("create table models as select 'm' as model_id, 'Retail' as business_unit, 'M' as name")
    for _ in range(3):
        sql.run(con, "model_names", business_units=None)
    at = open_page("overview", "admin")
    at.switch_page(str(Path(sql.__file__).resolve().parents[2] / "pages" / "admin.py"))
    at.run()
    assert not at.exception
    frames = [el.value for el in at.dataframe if "mean_ms" in el.value.columns]
    assert frames, "no timings table on the admin page"
    row = frames[0][frames[0]["query"] == "model_names"]
    assert len(row) == 1 and int(row["calls"].iloc[0]) >= 3
