"""Run independent queries side by side, each on its own cursor of one connection.

A page's queries over rollups are small and mostly fixed cost (parsing, planning, a few
operators), so running them concurrently rather than one after another is what keeps a page under
a tenth of a second on a large lakehouse. DuckDB releases the GIL while it works; a cursor must not
be shared between threads, hence one per task.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import duckdb

from analytics import sql

Task = tuple[Callable[..., Any], Mapping[str, Any]]


def run_on_cursor(con: duckdb.DuckDBPyConnection, fn: Callable[..., Any], kwargs: Mapping[str, Any],
                  cut: list[str] | None = None) -> Any:
    if cut is not None:  # in a pool thread serving a page: capped, and truncations reach the caller
        sql.adopt(cut)
    cur = con.cursor()
    try:
        return fn(cur, **kwargs)
    finally:
        cur.close()


def run_all(con: duckdb.DuckDBPyConnection, tasks: Mapping[str, Task], *,
            workers: int | None = None) -> dict[str, Any]:
    """``{name: fn(cursor, **kwargs)}`` for every task, at most ``workers`` at a time (default: the
    number of cores, at most 4). List the slowest tasks first so the pool stays busy. The first
    failure is raised once every task has finished."""
    n = workers or min(4, os.cpu_count() or 1)
    if n <= 1 or len(tasks) <= 1:
        return {name: run_on_cursor(con, fn, kw) for name, (fn, kw) in tasks.items()}
    with ThreadPoolExecutor(max_workers=n, thread_name_prefix="scaleboard-query") as pool:
        cut = sql.collector()
        futures = {name: pool.submit(run_on_cursor, con, fn, kw, cut) for name, (fn, kw) in tasks.items()}
    return {name: f.result() for name, f in futures.items()}
