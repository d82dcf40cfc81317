"""The model registry: every model with its versions, aliases, approvals and deployments, and the
engineering KPIs the incentive table asks for (deployments per month, lead time, change-failure rate).

State comes from ``model_versions`` (immutable registrations), ``deployments`` and the event log
``registry_events`` (aliases, approvals, tags; the newest event per model, kind and name is in force).
``scaleboard import mlflow`` fills them from an MLflow registry (``analytics.governance.mlflow_import``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from analytics import sql
from analytics.errors import InputError
from analytics.product.scope import Scope

MAX_SEARCH_CHARS = 100


def models(con: duckdb.DuckDBPyConnection, scope: Scope, *, search: str | None = None,
           risk_tiers: tuple[str, ...] | None = None, stages: tuple[str, ...] | None = None) -> pl.DataFrame:
    """One row per model of the scope's business units (see ``registry_models.sql``), filtered;
    ``search`` is case-insensitive text."""
    search = (search or "").strip() or None
    if search and len(search) > MAX_SEARCH_CHARS:
        raise InputError(f"Search text is limited to {MAX_SEARCH_CHARS} characters.")
    return sql.run(con, "registry_models", search=search, business_units=_list(scope.units),
                   risk_tiers=_list(risk_tiers), stages=_list(stages)).sort("business_unit", "name")


def versions(con: duckdb.DuckDBPyConnection, scope: Scope, *, model_id: str) -> pl.DataFrame:
    """One row per version of ``model_id``, newest first (empty for an unknown model or one outside
    the scope's business units)."""
    return sql.run(con, "registry_versions", model_id=_in_scope(con, scope, model_id)).sort(
        "registered_at", descending=True)


def deployments(con: duckdb.DuckDBPyConnection, scope: Scope, *, model_id: str) -> pl.DataFrame:
    return sql.run(con, "registry_deployments", model_id=_in_scope(con, scope, model_id)).sort(
        "deployed_at", descending=True)


def _in_scope(con: duckdb.DuckDBPyConnection, scope: Scope, model_id: str) -> str | None:
    """``model_id`` when the scope may see it, else None (which matches no row)."""
    if scope.units is None:
        return model_id
    return model_id if model_id in set(models(con, scope)["model_id"].to_list()) else None


@dataclass(frozen=True)
class EngineeringKPIs:
    n_deployments: int
    n_rolled_back: int
    deployments_per_month: float
    change_failure_rate: float | None  # None: no production deployment in the window
    lead_time_days: float | None  # None: no version reached production in the window
    n_versions_released: int


def engineering(con: duckdb.DuckDBPyConnection, scope: Scope) -> EngineeringKPIs:
    """Production deployments per month, change-failure rate (rolled back / production deployments)
    and median lead time (registration to first successful production deployment), in the scope's
    window, for the models of its business units."""
    row = sql.run(con, "registry_engineering", start_date=scope.start, end_date=scope.end,
                  business_units=_list(scope.units)).row(0, named=True)
    return EngineeringKPIs(int(row["n_deployments"]), int(row["n_rolled_back"]),
                           float(row["deployments_per_month"]), row["change_failure_rate"],
                           row["lead_time_days"], int(row["n_versions_released"]))


def _list(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values else None
