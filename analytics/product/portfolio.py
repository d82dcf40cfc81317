"""Portfolio-level lookups shared by every page (filter options, model list)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from analytics import sql
from analytics.product.scope import Scope


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


def models(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """The model inventory of the scope's business units, one row per model, sorted by business unit
    and name."""
    return scope.run(con, "models_inventory")
