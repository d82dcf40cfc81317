"""Read models for the quality page (pure functions of a cursor; the page caches them).

Everything here reads ``quality_results`` (small: one row per check evaluation), the task events,
the catalog and lineage; nothing scans raw logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from analytics import sql
from analytics.governance import lineage
from analytics.quality import tasks


@dataclass(frozen=True)
class Headline:
    """Latest state across all checks: counts, open tasks and monthly value at risk (USD)."""

    n_checks: int
    n_failing: int
    n_warning: int
    n_datasets_failing: int
    n_open_tasks: int
    value_at_risk_usd: float
    last_checked_at: object  # datetime | None


def latest(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per dataset and check: its most recent result, failing first."""
    return sql.run(con, "quality_latest")


def failing(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return latest(con).filter(pl.col("status").is_in(tasks.FAILING))


def impact(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Production models downstream of the currently failing datasets, with monthly value (USD)."""
    ids = sorted(set(failing(con)["dataset_id"].to_list()))
    return lineage.impact(con, ids)


def headline(con: duckdb.DuckDBPyConnection) -> Headline:
    df = latest(con)
    bad = df.filter(pl.col("status").is_in(tasks.FAILING))
    open_tasks = tasks.current(con).filter(pl.col("status") != "resolved")
    return Headline(df.height, bad.height, df.filter(pl.col("status") == "warn").height,
                    bad["dataset_id"].n_unique(), open_tasks.height, lineage.value_at_risk(impact(con)),
                    df["checked_at"].max() if df.height else None)


def domain_health(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per domain: checks passing, warning, failing, share passing and overall health."""
    return sql.run(con, "quality_domain_health")


def history(con: duckdb.DuckDBPyConnection, *, dataset_id: str | None, start_date: date,
            end_date: date) -> pl.DataFrame:
    """One row per dataset, check and day in the window: metric and its thresholds (for trends)."""
    return sql.run(con, "quality_history", dataset_id=dataset_id, start_date=start_date, end_date=end_date)


def task_table(con: duckdb.DuckDBPyConnection, *, include_resolved: bool = False) -> pl.DataFrame:
    df = tasks.current(con)
    return df if include_resolved else df.filter(pl.col("status") != "resolved")


def samples(sample_json: str | None) -> pl.DataFrame:
    """The stored failing rows of one check result as a table (at most ``checks.SAMPLE_ROWS``)."""
    if not sample_json:
        return pl.DataFrame()
    rows = json.loads(sample_json)
    return pl.DataFrame([{k: (None if v is None else str(v)) for k, v in r.items()} for r in rows])


def task_stats(con: duckdb.DuckDBPyConnection) -> dict[str, float | None]:
    """Median response and resolution hours over all tasks (None when there are none)."""
    df = tasks.current(con)
    return {"median_response_hours": df["response_hours"].median() if df.height else None,
            "median_resolution_hours": df["resolution_hours"].median() if df.height else None}


def task_summary(con: duckdb.DuckDBPyConnection) -> str:
    """One sentence: open tasks, median response and resolution hours."""
    s = task_stats(con)

    def h(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.0f} h"

    n_open = task_table(con).height
    return (f"{n_open} open task(s). Median time to acknowledge {h(s['median_response_hours'])}; "
            f"median time to resolve {h(s['median_resolution_hours'])} (over all tasks).")
