"""Queries run side by side give what they give one by one, and a failure reaches the caller."""

from __future__ import annotations

import duckdb
import pytest

from analytics import parallel, sql
from analytics.errors import QueryError


def _value(con, *, n: int) -> int:
    return con.sql("select sum(range) from range($n)", params={"n": n}).fetchall()[0][0]


def _broken(con) -> None:
    sql.query(con, "select * from no_such_table", name="broken")


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_results_by_name_equal_one_by_one(workers):
    con = duckdb.connect()
    tasks = {f"t{n}": (_value, {"n": n}) for n in (10, 1000, 100_000, 7)}
    assert parallel.run_all(con, tasks, workers=workers) == {f"t{n}": n * (n - 1) // 2 for n in (10, 1000, 100_000, 7)}


def test_a_failing_task_raises_its_error_after_the_others_finish():
    con = duckdb.connect()
    with pytest.raises(QueryError, match="broken"):
        parallel.run_all(con, {"ok": (_value, {"n": 5}), "bad": (_broken, {})}, workers=2)
    assert _value(con, n=4) == 6  # the connection still works
