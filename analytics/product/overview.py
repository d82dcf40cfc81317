"""The executive overview: portfolio numbers with deltas, and the models that need attention.

Value and ROI come from ``analytics.product.roi``, adoption from ``analytics.product.adoption``,
readiness from ``analytics.readiness.summary``; this module adds the stage counts, risk and payback
views, and ``snapshot``, everything the page shows in one call. Every function takes the ``Scope``;
everything here reads small tables and rollups, never raw logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from analytics import parallel
from analytics.product import kpis, roi
from analytics.product.scope import Scope


@dataclass(frozen=True)
class StageSummary:
    n_production: int
    n_pilot: int
    n_retired: int
    prev_production: int  # at the end of the previous window
    prev_pilot: int
    monthly: pl.DataFrame  # month, n_production, n_pilot, n_retired


def stage_summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> StageSummary:
    """Models in production and pilot at the window's end and at the end of the previous window.

    Production starts at a model's first successful production deployment; pilots are models
    created but not yet in production; retired models are counted apart.
    """
    monthly = scope.run(con, "models_by_stage_monthly")
    if monthly.is_empty():
        return StageSummary(0, 0, 0, 0, 0, monthly)
    at = _row_at(monthly, scope.end)
    prev = _row_at(monthly, scope.previous.end)
    return StageSummary(at["n_production"], at["n_pilot"], at["n_retired"], prev["n_production"],
                        prev["n_pilot"], monthly.filter(pl.col("month") >= _month(scope.start)))


def _month(d: date) -> date:
    return d.replace(day=1)


def _row_at(monthly: pl.DataFrame, day: date) -> dict:
    rows = monthly.filter(pl.col("month") <= _month(day))
    if rows.is_empty():
        return {"n_production": 0, "n_pilot": 0, "n_retired": 0}
    return rows.row(-1, named=True)


def models_needing_attention(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per model with open alerts (now, whatever the window): severity, reasons in plain
    words, since when, value at risk."""
    return scope.run(con, "models_needing_attention")


@dataclass(frozen=True)
class RiskSummary:
    n_models_at_risk: int
    n_critical: int
    value_at_risk_usd: float  # monthly value of the models at risk
    n_new_alerts: int  # alerts raised in the window
    prev_new_alerts: int  # alerts raised in the previous window


def risk_summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> RiskSummary:
    """Models with open alerts (any window) and alerts raised in the window vs the previous one."""
    return summarize_risk(models_needing_attention(con, scope), alerts_raised(con, scope))


def alerts_raised(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict:
    """Alerts raised in the window (``n_current``) and in the previous one (``n_previous``)."""
    return scope.run(con, "alerts_raised").row(0, named=True)


def summarize_risk(attention: pl.DataFrame, raised: dict) -> RiskSummary:
    """The risk summary from ``models_needing_attention`` and ``alerts_raised`` (pure)."""
    return RiskSummary(
        n_models_at_risk=attention.height,
        n_critical=attention.filter(pl.col("severity") == "critical").height,
        value_at_risk_usd=float(attention["value_at_risk_usd"].fill_null(0).sum()),
        n_new_alerts=int(raised["n_current"] or 0),
        prev_new_alerts=int(raised["n_previous"] or 0),
    )


def model_payback(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Per model: benefit, cost and net to the window's end, payback month (null = never paid off)."""
    return scope.run(con, "model_payback")


@dataclass(frozen=True)
class OverviewSnapshot:
    """Everything the overview page shows: the registry's KPIs and the panels' tables."""

    figures: dict[str, kpis.Figure]  # the registry's KPIs the filters apply to (kpis.SCOPED), by key
    value_by_month: pl.DataFrame  # month, business_unit, benefit_usd, cost_usd, net_usd
    stages: pl.DataFrame  # models_by_stage_monthly, from the window's first month
    attention: pl.DataFrame  # models_needing_attention
    payback: pl.DataFrame  # model_payback


def snapshot(con: duckdb.DuckDBPyConnection, scope: Scope, *, workers: int | None = None) -> OverviewSnapshot:
    """The overview's figures and panels, their independent queries run side by side."""
    done = parallel.run_all(con, {  # slowest first
        **kpis.tasks(scope, kpis.SCOPED),
        "attention": (models_needing_attention, {"scope": scope}),
        "payback": (model_payback, {"scope": scope}),
        "value_by_month": (roi.value_by_month, {"scope": scope}),
        "stages": (_stages_monthly, {"scope": scope}),
    }, workers=workers)
    return OverviewSnapshot(figures=kpis.assemble(done), value_by_month=done["value_by_month"],
                            stages=done["stages"], attention=done["attention"], payback=done["payback"])


def _stages_monthly(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    return scope.run(con, "models_by_stage_monthly").filter(pl.col("month") >= _month(scope.start))


# ---------------------------------------------------------------- the snapshot's derived views (pure)

def net_by_month(value_by_month: pl.DataFrame) -> pl.DataFrame:
    """One row per month: net value summed over business units (``month``, ``net_usd``), oldest first."""
    return value_by_month.group_by("month").agg(pl.col("net_usd").sum()).sort("month")


def net_to_date_by_business_unit(payback: pl.DataFrame) -> pl.DataFrame:
    """One row per business unit: net value to date of its models (``business_unit``,
    ``net_to_date_usd``), smallest first."""
    return payback.group_by("business_unit").agg(pl.col("net_to_date_usd").sum()).sort("net_to_date_usd")


def never_paid_off(payback: pl.DataFrame) -> pl.DataFrame:
    """The models of ``model_payback`` whose cumulative net never rose above zero (no payback month)."""
    return payback.filter(pl.col("payback_month").is_null()).select(
        "name", "business_unit", "stage", "first_month", "benefit_to_date_usd", "cost_to_date_usd",
        "net_to_date_usd")
