"""The KPI registry: every headline number, declared once.

Pages take titles and help texts from here, the docs list it, and a completeness test checks that
each KPI's function and SQL exist and that a test names its key.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import polars as pl

Unit = Literal["usd", "ratio", "share", "count"]


@dataclass(frozen=True)
class KPI:
    key: str
    title: str
    description: str  # one line a non-specialist understands: what, window, unit
    unit: Unit
    direction: Literal["up", "down"]  # which way is good
    grain: str
    function: str  # "module:function" computing it
    sql: tuple[str, ...] = ()
    field: str = ""  # the attribute of the function's result holding the value

    def resolve(self) -> Callable:
        module, name = self.function.split(":")
        return getattr(importlib.import_module(module), name)


REGISTRY: tuple[KPI, ...] = (
    KPI("value_delivered", "Value delivered",
        "Net value in the selected window: measured, estimated and self-reported benefit minus cost, "
        "from the value ledger (latest entry per month, model and line item).",
        "usd", "up", "portfolio, window", "analytics.product.roi:portfolio_value", ("ledger_current",), "net_usd"),
    KPI("value_to_date", "Value to date",
        "Cumulative net value of all models from the first ledger month to the end of the window.",
        "usd", "up", "portfolio, to date", "analytics.product.roi:portfolio_value", ("ledger_current",),
        "value_to_date_usd"),
    KPI("portfolio_roi", "Portfolio ROI",
        "(benefit - cost) / cost over the window: 1.0 means every dollar spent returned two.",
        "ratio", "up", "portfolio, window", "analytics.product.roi:portfolio_value", ("ledger_current",), "roi"),
    KPI("adoption_rate", "Adoption rate",
        "Share of eligible users who used a model at least once in the window (people, not traffic).",
        "share", "up", "portfolio, window", "analytics.product.adoption:adoption_summary", (), "adoption_rate"),
    KPI("models_in_production", "Models in production",
        "Models live in production at the end of the window (first successful production deployment); "
        "pilots are shown beside it.",
        "count", "up", "portfolio, end of window", "analytics.product.overview:stage_summary",
        ("models_by_stage_monthly",), "n_production"),
    KPI("models_at_risk", "Models at risk",
        "Models with an open drift, performance, data-quality or freshness alert.",
        "count", "down", "portfolio, now", "analytics.product.overview:risk_summary",
        ("models_needing_attention", "alerts_raised"), "n_models_at_risk"),
    KPI("value_at_risk", "Monthly value at risk",
        "Monthly benefit of the models with open alerts (mean of their last three ledger months).",
        "usd", "down", "portfolio, now", "analytics.product.overview:risk_summary",
        ("models_needing_attention", "model_monthly_value"), "value_at_risk_usd"),
    KPI("readiness_progress", "Readiness",
        "Share of the enterprise-readiness checklist items that are done.",
        "share", "up", "organisation, now", "analytics.readiness.summary:readiness_summary", (), "share_done"),
)

BY_KEY = {k.key: k for k in REGISTRY}


def kpi(key: str) -> KPI:
    return BY_KEY[key]


def figures(values: dict[str, tuple[float | int | None, float | int | None]]) -> pl.DataFrame:
    """The headline figures as a table to take away: one row per KPI key in ``values`` (value and
    the previous window's value, None where there is none), in registry order, with the change,
    the unit and the one-line meaning."""
    unknown = set(values) - set(BY_KEY)
    if unknown:
        raise KeyError(f"not in the KPI registry: {sorted(unknown)}")
    rows = []
    for k in REGISTRY:
        if k.key not in values:
            continue
        value, previous = values[k.key]
        change = value - previous if value is not None and previous is not None else None
        rows.append({"figure": k.title, "value": None if value is None else float(value),
                     "previous_period": None if previous is None else float(previous),
                     "change": None if change is None else float(change),
                     "unit": {"usd": "USD", "ratio": "ratio", "share": "share (0-1)", "count": "count"}[k.unit],
                     "meaning": k.description})
    return pl.DataFrame(rows, schema={"figure": pl.String, "value": pl.Float64, "previous_period": pl.Float64,
                                      "change": pl.Float64, "unit": pl.String, "meaning": pl.String})
