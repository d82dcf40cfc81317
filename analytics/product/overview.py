"""The executive overview: portfolio numbers with deltas, and the models that need attention.

Value and ROI come from ``analytics.product.roi``, adoption from ``analytics.product.adoption``, readiness from
``analytics.readiness.checklist``; this module adds the stage counts, risk and payback views, and
``snapshot``, everything the page shows in one call. Everything here reads small tables and
rollups, never raw logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from analytics import parallel, sql
from analytics.product import adoption, roi
from analytics.product.roi import previous_window  # the window of equal length before (for deltas)


@dataclass(frozen=True)
class StageSummary:
    n_production: int
    n_pilot: int
    n_retired: int
    prev_production: int  # at the end of the previous window
    prev_pilot: int
    monthly: pl.DataFrame  # month, n_production, n_pilot, n_retired


def stage_summary(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                  business_units: tuple[str, ...] | None = None, **_: object) -> StageSummary:
    """Models in production and pilot at ``end_date`` and at the end of the previous window.

    Production starts at a model's first successful production deployment; pilots are models
    created but not yet in production; retired models are counted apart.
    """
    monthly = sql.run(con, "models_by_stage_monthly", start_date=start_date, end_date=end_date,
                      business_units=_list(business_units))
    if monthly.is_empty():
        return StageSummary(0, 0, 0, 0, 0, monthly)
    at = _row_at(monthly, end_date)
    prev = _row_at(monthly, previous_window(start_date, end_date)[1])
    return StageSummary(at["n_production"], at["n_pilot"], at["n_retired"], prev["n_production"],
                        prev["n_pilot"], monthly.filter(pl.col("month") >= _month(start_date)))


def _month(d: date) -> date:
    return d.replace(day=1)


def _row_at(monthly: pl.DataFrame, day: date) -> dict:
    rows = monthly.filter(pl.col("month") <= _month(day))
    if rows.is_empty():
        return {"n_production": 0, "n_pilot": 0, "n_retired": 0}
    return rows.row(-1, named=True)


def _list(values: tuple[str, ...] | None) -> list[str] | None:
    return list(values) if values else None


def models_needing_attention(con: duckdb.DuckDBPyConnection, *,
                             business_units: tuple[str, ...] | None = None, **_: object) -> pl.DataFrame:
    """One row per model with open alerts: severity, reasons in plain words, since when, value at risk."""
    return sql.run(con, "models_needing_attention", business_units=_list(business_units))


@dataclass(frozen=True)
class RiskSummary:
    n_models_at_risk: int
    n_critical: int
    value_at_risk_usd: float  # monthly value of the models at risk
    n_new_alerts: int  # alerts raised in the window
    prev_new_alerts: int  # alerts raised in the previous window


def risk_summary(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                 business_units: tuple[str, ...] | None = None, **_: object) -> RiskSummary:
    """Models with open alerts (any window) and alerts raised in the window vs the previous one."""
    return summarize_risk(models_needing_attention(con, business_units=business_units),
                          alerts_raised(con, start_date=start_date, end_date=end_date,
                                        business_units=business_units))


def alerts_raised(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                  business_units: tuple[str, ...] | None = None, **_: object) -> dict:
    """Alerts raised in the window (``n_current``) and in the previous one (``n_previous``)."""
    prev_start, prev_end = previous_window(start_date, end_date)
    return sql.run(con, "alerts_raised", start_date=start_date, end_date=end_date,
                   prev_start_date=prev_start, prev_end_date=prev_end,
                   business_units=_list(business_units)).row(0, named=True)


def summarize_risk(attention: pl.DataFrame, raised: dict) -> RiskSummary:
    """The risk summary from ``models_needing_attention`` and ``alerts_raised`` (pure)."""
    return RiskSummary(
        n_models_at_risk=attention.height,
        n_critical=attention.filter(pl.col("severity") == "critical").height,
        value_at_risk_usd=float(attention["value_at_risk_usd"].fill_null(0).sum()),
        n_new_alerts=int(raised["n_current"] or 0),
        prev_new_alerts=int(raised["n_previous"] or 0),
    )


def model_payback(con: duckdb.DuckDBPyConnection, *, end_date: date,
                  business_units: tuple[str, ...] | None = None, **_: object) -> pl.DataFrame:
    """Per model: benefit, cost and net to ``end_date``, payback month (null = never paid off)."""
    return sql.run(con, "model_payback", end_date=end_date, business_units=_list(business_units))


@dataclass(frozen=True)
class OverviewSnapshot:
    """Everything the overview page shows that depends on its filters (readiness does not: the page
    reads ``checklist.readiness_summary`` apart, so a filter change does not recompute it)."""

    value: roi.ValueSummary
    value_by_month: pl.DataFrame  # month, business_unit, benefit_usd, cost_usd, net_usd
    adoption: adoption.AdoptionSummary
    stages: StageSummary
    risk: RiskSummary
    attention: pl.DataFrame  # models_needing_attention
    payback: pl.DataFrame  # model_payback


def snapshot(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
             business_units: tuple[str, ...] | None = None, countries: tuple[str, ...] | None = None,
             workers: int | None = None) -> OverviewSnapshot:
    """The overview's filtered figures, its independent queries run side by side."""
    window = {"start_date": start_date, "end_date": end_date, "business_units": business_units,
              "countries": countries}
    prev_start, prev_end = previous_window(start_date, end_date)
    done = parallel.run_all(con, {  # slowest first
        "attention": (models_needing_attention, {"business_units": business_units}),
        "cells": (adoption.adoption_cells, window),
        "prev_cells": (adoption.adoption_cells, {**window, "start_date": prev_start, "end_date": prev_end}),
        "payback": (model_payback, {"end_date": end_date, "business_units": business_units}),
        "alerts": (alerts_raised, window),
        "value_by_month": (roi.value_by_month, window),
        "stages": (stage_summary, window),
        "value": (roi.portfolio_value, window),
    }, workers=workers)
    return OverviewSnapshot(
        value=done["value"], value_by_month=done["value_by_month"],
        adoption=adoption.summarize(done["cells"], done["prev_cells"]), stages=done["stages"],
        risk=summarize_risk(done["attention"], done["alerts"]), attention=done["attention"],
        payback=done["payback"])


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
