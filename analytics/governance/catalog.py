"""The data catalog: every dataset with owner, steward, domain, description, PII flag, regulations,
retention; and coverage KPIs (the readiness checklist's evidence for documentation)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from analytics import sql


@dataclass(frozen=True)
class Coverage:
    """Catalogue coverage. Shares are 0..1 of catalogued datasets (None when the catalogue is empty)."""

    n_datasets: int
    n_owner_and_steward: int
    n_described: int
    n_pii: int
    share_owner_and_steward: float | None
    share_described: float | None


def datasets(con: duckdb.DuckDBPyConnection, *, domain: str | None = None) -> pl.DataFrame:
    """One row per dataset (optionally one domain), with ``has_owner_and_steward``/``has_description``."""
    return sql.run(con, "catalog_datasets", domain=domain)


def coverage(con: duckdb.DuckDBPyConnection, *, domain: str | None = None) -> Coverage:
    """Share of datasets with both an owner and a steward, and with a description."""
    row = sql.run(con, "catalog_coverage", domain=domain).row(0, named=True)
    return Coverage(**{k: row[k] for k in Coverage.__dataclass_fields__})


def gaps(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Datasets missing an owner, a steward or a description, with what is missing in words."""
    df = datasets(con)
    missing = pl.concat_list(
        pl.when(pl.col("owner").is_null()).then(pl.lit("owner")),
        pl.when(pl.col("steward").is_null()).then(pl.lit("steward")),
        pl.when(pl.col("description").is_null()).then(pl.lit("description")),
    ).list.drop_nulls().list.join(", ")
    return (df.with_columns(missing.alias("missing"))
            .filter(pl.col("missing") != "")
            .select("dataset_id", "name", "domain", "owner", "steward", "missing"))
