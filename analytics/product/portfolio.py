"""Portfolio-level lookups shared by every page (filter options, model list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import polars as pl

from analytics import sql


@dataclass(frozen=True)
class FilterOptions:
    business_units: tuple[str, ...]
    countries: tuple[str, ...]
    min_date: date | None
    max_date: date | None


def filter_options(con: duckdb.DuckDBPyConnection) -> FilterOptions:
    """Business units (from models), countries (from eligible users and traffic) and the data's
    date span (from the daily prediction rollup), for the sidebar."""
    row = sql.run(con, "filter_options").row(0, named=True)
    return FilterOptions(tuple(row["business_units"] or ()), tuple(row["countries"] or ()),
                         row["min_date"], row["max_date"])


def models(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The model inventory, one row per model, sorted by business unit and name."""
    return sql.run(con, "models_inventory")


# ---------------------------------------------------------------- period presets (sidebar, reports)

PERIODS = ("Last 12 months", "This quarter", "Last quarter", "Year to date", "Custom")
DEFAULT_PERIOD = PERIODS[0]


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_range(period: str, last: date, first: date) -> tuple[date, date]:
    """The window a period preset means when the data ends on ``last`` (and starts on ``first``):
    "This quarter" is the quarter holding ``last``, up to ``last``; "Last quarter" the whole quarter
    before it. Clipped to ``first``; "Custom" and unknown names give the last 12 months."""
    if period == "This quarter":
        start, end = _quarter_start(last), last
    elif period == "Last quarter":
        end = _quarter_start(last) - timedelta(days=1)
        start = _quarter_start(end)
    elif period == "Year to date":
        start, end = date(last.year, 1, 1), last
    else:
        start, end = last - timedelta(days=364), last
    start = max(start, first)
    return start, max(start, end)
