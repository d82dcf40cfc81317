"""The one gateway for SQL: files loaded by name (``analytics/sql/<layer>/<name>.sql``, one query per
file), values always bound as DuckDB ``$name`` parameters, identifiers never from users.

Every named query is timed (logged on ``scaleboard.sql`` and kept per name for the admin page:
``timings()``). While serving a page (inside ``serving()``, which ``app.data`` opens around every
cached call) a query is also stopped after ``TIME_LIMIT_S`` seconds (DuckDB's interrupt) and capped
at ``ROW_CAP`` rows; the names of the queries the cap cut are handed to the page, which says so.
The pipeline, the CLI and rollup refreshes run uncapped and without a time limit (their results are
written, not shown, and a cut would lose data). ``fetch`` returns the ``truncated`` flag itself.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.errors import QueryError

ROW_CAP = 200_000  # rows any one query may return to a page
TIME_LIMIT_S = 30.0  # seconds before a query is interrupted
log = logging.getLogger("scaleboard.sql")

SQL_DIR = Path(__file__).resolve().parent


@cache
def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in SQL_DIR.rglob("*.sql"):
        if path.stem in found:
            raise RuntimeError(f"Two SQL files named {path.stem}: {found[path.stem]} and {path}")
        found[path.stem] = path
    return found


_INCLUDE = re.compile(r"\bQUERY_([A-Z0-9_]+)\b")


def load(name: str) -> str:
    """The text of the query ``name`` (the file stem, unique across layers).

    ``QUERY_<NAME>`` inside a query is replaced by the text of ``<name>.sql`` (used as a subquery),
    so shared logic such as the current ledger lives in one file.
    """
    try:
        text = _index()[name].read_text()
    except KeyError:
        raise QueryError(name, "no such SQL file in analytics/sql") from None
    return _INCLUDE.sub(lambda m: _strip_comments(load(m.group(1).lower())), text)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def names() -> list[str]:
    return sorted(_index())


@dataclass(frozen=True)
class Results:
    name: str
    frame: pl.DataFrame
    truncated: bool  # the query had more than ``row_cap`` rows; ``frame`` holds the first ones
    elapsed_ms: float


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run the named query with bound parameters and return polars (at most ``ROW_CAP`` rows while
    serving a page).

    Only parameters the query mentions are bound, so callers can pass a common filter set.
    """
    return fetch(con, name, **params).frame


def fetch(con: duckdb.DuckDBPyConnection, name: str, *, row_cap: int | None = None,
          time_limit_s: float | None = None, **params: Any) -> Results:
    """The named query as ``Results``: at most ``row_cap`` rows with the ``truncated`` flag, timed,
    interrupted after ``time_limit_s``; both default to ``ROW_CAP`` and ``TIME_LIMIT_S`` while
    serving a page, and to none otherwise."""
    page = collector() is not None
    return _execute(con, load(name), name, row_cap or (ROW_CAP if page else None),
                    time_limit_s or (TIME_LIMIT_S if page else None), params)


def query(con: duckdb.DuckDBPyConnection, text: str, *, name: str = "inline", **params: Any) -> pl.DataFrame:
    """An ad-hoc query text (tests, tools); pages and analytics use named files through ``run``."""
    page = collector() is not None
    return _execute(con, text, name, ROW_CAP if page else None, TIME_LIMIT_S if page else None, params).frame


def _execute(con: duckdb.DuckDBPyConnection, text: str, name: str, max_rows: int | None,
             limit_s: float | None, params: dict) -> Results:
    bound = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
    timer = threading.Timer(limit_s, con.interrupt) if limit_s else None
    started = time.perf_counter()
    if timer:
        timer.start()
    try:
        rel = con.sql(text, params=bound)
        frame = pl.DataFrame() if rel is None else (rel.limit(max_rows + 1) if max_rows else rel).pl()
    except duckdb.InterruptException as exc:
        _record(name, (time.perf_counter() - started) * 1000, 0, False, failed=True)
        raise QueryError(name, f"stopped after {limit_s:g} s (the time limit); narrow the window or "
                               "filters") from exc
    except duckdb.Error as exc:
        _record(name, (time.perf_counter() - started) * 1000, 0, False, failed=True)
        raise QueryError(name, _short(exc)) from exc
    finally:
        if timer:
            timer.cancel()
    elapsed = (time.perf_counter() - started) * 1000
    truncated = max_rows is not None and frame.height > max_rows
    if truncated:
        frame = frame.head(max_rows)
        if (cut := collector()) is not None:
            cut.append(name)
    _record(name, elapsed, frame.height, truncated)
    return Results(name, frame, truncated, elapsed)


# ---------------------------------------------------------------- serving a page: cap, limit, truncations

_local = threading.local()


class serving:  # noqa: N801 - used as a context manager
    """``with sql.serving() as cut:`` serves a page: queries on this thread (and on the threads of
    ``analytics.parallel`` started inside it) are capped and time-limited, and ``cut`` gathers the
    names of those the row cap cut."""

    def __enter__(self) -> list[str]:
        self.before = getattr(_local, "cut", None)
        _local.cut = []
        return _local.cut

    def __exit__(self, *exc) -> None:
        _local.cut = self.before


def collector() -> list[str] | None:
    return getattr(_local, "cut", None)


def adopt(cut: list[str] | None) -> None:
    """In a worker thread: report truncations to the starting thread's collector."""
    _local.cut = cut


# ---------------------------------------------------------------- timing per named query

_stats: dict[str, dict] = {}
_stats_lock = threading.Lock()


def _record(name: str, ms: float, rows: int, truncated: bool, *, failed: bool = False) -> None:
    log.info("query %s: %.1f ms, %d rows%s%s", name, ms, rows, " (truncated)" if truncated else "",
             " (failed)" if failed else "")
    with _stats_lock:
        s = _stats.setdefault(name, {"calls": 0, "total_ms": 0.0, "max_ms": 0.0, "last_ms": 0.0,
                                     "failures": 0, "truncations": 0})
        s["calls"] += 1
        s["total_ms"] += ms
        s["max_ms"] = max(s["max_ms"], ms)
        s["last_ms"] = ms
        s["failures"] += failed
        s["truncations"] += truncated


def timings() -> pl.DataFrame:
    """One row per named query run by this process: calls, mean, max and last time (ms), failures
    and truncations; slowest mean first (for the admin page)."""
    with _stats_lock:
        rows = [{"query": k, **v} for k, v in _stats.items()]
    schema = {"query": pl.String, "calls": pl.Int64, "total_ms": pl.Float64, "max_ms": pl.Float64,
              "last_ms": pl.Float64, "failures": pl.Int64, "truncations": pl.Int64}
    out = pl.DataFrame(rows, schema=schema)
    return (out.with_columns((pl.col("total_ms") / pl.col("calls")).alias("mean_ms"))
            .select("query", "calls", "mean_ms", "max_ms", "last_ms", "failures", "truncations")
            .sort("mean_ms", descending=True))


def reset_timings() -> None:
    with _stats_lock:
        _stats.clear()


def _short(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__
