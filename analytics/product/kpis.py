"""The KPI registry: every headline number, declared once, and what computes it.

One name per idea: a KPI's ``key`` is the stem of its SQL file (``analytics/sql/product/<key>.sql``),
the column of that query's one-row result holding the value, and the id of its hand-worked test
(``tests/analytics/product/test_kpis.py``). The query reads the Scope's bound parameters; when its
result also has ``prev_<key>`` that is the comparison value, else the query runs again on the
previous window. The overview's tiles, their help texts, units and formats, the figures download
and the KPI section of ``docs/product.md`` (``docs_section``) are all drawn from here.

Adding a KPI: write ``<key>.sql``, add one ``KPI(...)`` below, add its case to the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Literal

import duckdb
import polars as pl

from analytics import parallel, sql
from analytics.product.scope import Scope

Unit = Literal["usd", "ratio", "share", "percent", "count"]
UNIT_WORDS = {"usd": "US dollars", "ratio": "ratio (x)", "share": "share (0-1)",
              "percent": "percent (net return on cost)", "count": "count"}


@dataclass(frozen=True)
class KPI:
    key: str  # = SQL file stem = result column = test id
    title: str
    description: str  # one line a non-specialist understands: what, window, unit
    unit: Unit
    direction: Literal["up", "down"]  # which way is good
    grain: str
    compare: Literal["window", "days", "none"] = "window"  # delta vs the previous window, N days ago, none
    compare_days: int = 30
    ignores: dict[str, str] = field(default_factory=dict)  # filter -> why it does not apply

    @property
    def help(self) -> str:
        said = " ".join(f"{n} does not apply: {why}." for n, why in
                        (({"window": "The date range", "business_units": "The business-unit filter",
                           "countries": "The country filter"}[k], v) for k, v in self.ignores.items()))
        return f"{self.description} {said}".strip()


NO_COUNTRY = {"countries": "the value ledger has no country"}
NOW = {"window": "it counts open alerts now", "countries": "alerts and the ledger have no country"}

REGISTRY: tuple[KPI, ...] = (
    KPI("value_delivered", "Value delivered",
        "Net value in the window: measured, estimated and self-reported benefit minus cost, from the value "
        "ledger (latest entry per month, model and line item; a month counts when its first day is in the "
        "window), in US dollars.", "usd", "up", "portfolio, window", ignores=NO_COUNTRY),
    KPI("value_to_date", "Value to date",
        "Cumulative net value (benefit minus cost, US dollars) of all models from the first ledger month to "
        "the end of the window.", "usd", "up", "portfolio, to date", compare="none", ignores=NO_COUNTRY),
    KPI("portfolio_roi", "Portfolio ROI",
        "Net return on cost over the window, (benefit - cost) / cost, as a percentage: 100% means every "
        "dollar spent came back twice.", "percent", "up", "portfolio, window", ignores=NO_COUNTRY),
    KPI("adoption_rate", "Adoption rate",
        "Share of eligible seats (model-user pairs) with at least one use of the model dated in the window "
        "(people, not traffic).", "share", "up", "portfolio, window"),
    KPI("models_in_production", "Models in production",
        "Models live in production at the end of the window (from their first successful production "
        "deployment); pilots are shown beside it.", "count", "up", "portfolio, end of window",
        ignores={"countries": "models have no country"}),
    KPI("models_at_risk", "Models at risk",
        "Models with an open drift, performance, data-quality or freshness alert now.",
        "count", "down", "portfolio, now", compare="none", ignores=NOW),
    KPI("value_at_risk", "Monthly value at risk",
        "Monthly benefit (US dollars, mean of the last three ledger months) of the models with open alerts now.",
        "usd", "down", "portfolio, now", compare="none", ignores=NOW),
    KPI("readiness_progress", "Readiness",
        "Share of the enterprise-readiness checklist items that are done now (the delta compares with 30 "
        "days ago).", "share", "up", "organisation, now", compare="days",
        ignores={"window": "readiness is as of today", "business_units": "the checklist is organisation-wide",
                 "countries": "the checklist is organisation-wide"}),
)

BY_KEY = {k.key: k for k in REGISTRY}
# KPIs no filter applies to (organisation-wide): computed apart, so a filter change does not rerun them
ORGANISATION = tuple(k.key for k in REGISTRY if {"window", "business_units", "countries"} <= set(k.ignores))
SCOPED = tuple(k.key for k in REGISTRY if k.key not in ORGANISATION)


def kpi(key: str) -> KPI:
    return BY_KEY[key]


@dataclass(frozen=True)
class Figure:
    """A KPI's value and comparison value, with the other columns of its query (``extra``)."""

    key: str
    value: float | int | None
    previous: float | int | None
    extra: dict


def _params(now: datetime) -> dict:
    from analytics.readiness.items import DEFAULT_ITEMS

    return {"default_item_ids": [i.item_id for i in DEFAULT_ITEMS], "item_id": None, "as_of_end": now}


def _row(con: duckdb.DuckDBPyConnection, *, key: str, scope: Scope, extra: dict) -> dict:
    return scope.run(con, key, **extra).row(0, named=True)


def tasks(scope: Scope, keys: tuple[str, ...] | None = None, *, now: datetime | None = None) -> dict:
    """The queries behind the KPIs in ``keys`` (default: all), as ``parallel.run_all`` tasks."""
    now = now or datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(), tzinfo=UTC)
    base = _params(now)
    out = {}
    for k in ([BY_KEY[k] for k in keys] if keys else REGISTRY):
        out[k.key] = (_row, {"key": k.key, "scope": scope, "extra": base})
        if k.compare == "window" and f"prev_{k.key}" not in sql.load(k.key):
            out["prev:" + k.key] = (_row, {"key": k.key, "scope": scope.previous, "extra": base})
        elif k.compare == "days":
            out["prev:" + k.key] = (_row, {"key": k.key, "scope": scope,
                                           "extra": {**base, "as_of_end": now - timedelta(days=k.compare_days)}})
    return out


def assemble(done: dict) -> dict[str, Figure]:
    """``Figure``s from the results of ``tasks`` (other entries of ``done`` are ignored)."""
    out = {}
    for k in REGISTRY:
        if k.key not in done:
            continue
        row = dict(done[k.key])
        own_prev = row.pop(f"prev_{k.key}", None)
        prev = done.get("prev:" + k.key)
        previous = own_prev if k.compare == "window" and f"prev_{k.key}" in done[k.key] else (
            prev[k.key] if prev is not None else None)
        out[k.key] = Figure(k.key, row.pop(k.key), previous, row)
    return out


def compute(con: duckdb.DuckDBPyConnection, scope: Scope, keys: tuple[str, ...] | None = None, *,
            now: datetime | None = None, workers: int | None = None) -> dict[str, Figure]:
    """Every KPI in ``keys`` (default: all) for the scope, its queries run side by side."""
    return assemble(parallel.run_all(con, tasks(scope, keys, now=now), workers=workers))


def organisation(con: duckdb.DuckDBPyConnection, *, now: datetime | None = None) -> dict[str, Figure]:
    """The KPIs no filter applies to (``ORGANISATION``), e.g. readiness."""
    from analytics.product.scope import everything

    return compute(con, everything(), ORGANISATION, now=now)


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
                     "unit": {"usd": "USD", "ratio": "ratio", "share": "share (0-1)", "percent": "net return on cost (1 = 100%)",
                              "count": "count"}[k.unit],
                     "meaning": k.description})
    return pl.DataFrame(rows, schema={"figure": pl.String, "value": pl.Float64, "previous_period": pl.Float64,
                                      "change": pl.Float64, "unit": pl.String, "meaning": pl.String})


def docs_section() -> str:
    """The KPI table of ``docs/product.md`` (a test keeps the doc equal to this)."""
    lines = ["| KPI (key = SQL file = test id) | what it means | unit | good when | compared with | "
             "filters it does not apply |", "|---|---|---|---|---|---|"]
    for k in REGISTRY:
        vs = {"window": "the previous window", "days": f"{k.compare_days} days ago", "none": "–"}[k.compare]
        ign = "; ".join(f"{f}: {why}" for f, why in k.ignores.items()) or "–"
        lines.append(f"| **{k.title}** (`{k.key}`) | {k.description} | {UNIT_WORDS[k.unit]} | "
                     f"{'higher' if k.direction == 'up' else 'lower'} | {vs} | {ign} |")
    return "\n".join(lines)
