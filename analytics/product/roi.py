"""Business value and ROI from the append-only value ledger.

Contract shared by every function here:

* **Scope.** Every query function takes the ``Scope`` (``analytics.product.scope``). A ledger month
  counts in the window when its *first day* falls inside it (the one inclusion rule), so
  consecutive windows never share a month; the previous window is ``scope.previous``.
* **Current figure.** The ledger is append-only; the figure for (month, model, category) is the
  newest entry (``analytics/sql/product/ledger_current.sql``); older entries are history.
* **Filters.** Business units filter through ``models.business_unit``. Country filters do *not*
  apply to ledger figures (the ledger has no country: ``COUNTRY_IGNORED`` is the caption pages show);
  only the what-if panel uses countries, through the share of usage coming from them.
* **Units.** US dollars. ROI = (benefit - cost) / cost, ``None`` when cost is 0.

Every ledger write goes through ``append_ledger`` (appended with who and when, never overwriting):
``record_entries`` for people's figures, ``experiments.record_measured_value`` for A/B-test results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics.errors import InputError
from analytics.lakehouse import connection, storage
from analytics.lakehouse.schema import ATTRIBUTIONS, LEDGER_CATEGORIES, VALUE_LEDGER
from analytics.product.scope import Scope

COUNTRY_IGNORED = "Country filter does not apply here: the value ledger has no country."
ATTRIBUTION_LABELS = {"measured": "Measured (A/B test)", "estimated": "Model-estimated",
                      "self_reported": "Self-reported"}


def roi(benefit: float, cost: float) -> float | None:
    """(benefit - cost) / cost; None when there is no cost to return on."""
    return None if not cost else (benefit - cost) / cost


# ---------------------------------------------------------------- portfolio figures (overview)

@dataclass(frozen=True)
class ValueSummary:
    """Portfolio value in a window and the previous window of equal length (USD)."""

    benefit_usd: float
    cost_usd: float
    net_usd: float
    roi: float | None
    prev_benefit_usd: float
    prev_cost_usd: float
    prev_net_usd: float
    prev_roi: float | None
    value_to_date_usd: float  # cumulative net from the first ledger month to the window's end


def portfolio_value(con: duckdb.DuckDBPyConnection, scope: Scope) -> ValueSummary:
    """Benefit, cost, net and ROI of the portfolio in the window and the previous one, plus value to
    date (the country filter does not apply: the ledger has no country)."""
    row = scope.run(con, "roi_portfolio_value").row(0, named=True)
    b, c, pb, pc = (float(row[k]) for k in ("benefit_usd", "cost_usd", "prev_benefit_usd", "prev_cost_usd"))
    return ValueSummary(b, c, b - c, roi(b, c), pb, pc, pb - pc, roi(pb, pc), float(row["value_to_date_usd"]))


def value_by_month(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per ledger month and business unit: benefit_usd, cost_usd, net_usd (current figures)."""
    return scope.run(con, "roi_value_by_month")


# ---------------------------------------------------------------- per model: ROI, payback, NPV

def npv(cash_flows: list[float], annual_rate: float) -> float:
    """Net present value of monthly cash flows discounted to the first month (t = 0 undiscounted),
    at the monthly rate equivalent to ``annual_rate``: sum(cf_t / (1 + r) ** (t / 12))."""
    if annual_rate <= -1:
        raise InputError(f"The discount rate {annual_rate:.0%} must be above -100%.")
    return float(sum(cf / (1 + annual_rate) ** (t / 12) for t, cf in enumerate(cash_flows)))


def payback_month(months: list[date], net: list[float]) -> date | None:
    """The first month in which cumulative net (in month order) is above zero, else None."""
    total = 0.0
    for m, x in sorted(zip(months, net, strict=True)):
        total += x
        if total > 0:
            return m
    return None


def _month_index(m: date, first: date) -> int:
    return (m.year - first.year) * 12 + m.month - first.month


def model_value(con: duckdb.DuckDBPyConnection, scope: Scope, *, discount_rate: float = 0.08) -> pl.DataFrame:
    """One row per model with ledger entries: window benefit/cost/net/ROI, NPV of the window's monthly
    net (discounted to the window's first month at ``discount_rate`` a year), cumulative net and
    payback month since the model's first ledger month (to the window's end), and the attribution mix of
    the window's benefit with the dominant one as ``attribution`` (the badge)."""
    start_date = scope.start
    monthly = scope.run(con, "roi_model_month")
    first_window_month = date(start_date.year, start_date.month, 1)
    if start_date.day != 1:  # the first month whose first day is inside the window
        first_window_month = date(start_date.year + start_date.month // 12, start_date.month % 12 + 1, 1)
    rows = []
    for (model_id,), g in monthly.group_by("model_id", maintain_order=True):
        g = g.sort("month")
        inside = g.filter(pl.col("month") >= start_date)
        b, c = float(inside["benefit_usd"].sum()), float(inside["cost_usd"].sum())
        flows = [0.0] * (max((_month_index(m, first_window_month) for m in inside["month"]), default=-1) + 1)
        for m, n in zip(inside["month"], (inside["benefit_usd"] - inside["cost_usd"]), strict=True):
            flows[_month_index(m, first_window_month)] += n
        shares = {a: float(inside[f"{a}_benefit_usd"].sum()) for a in ATTRIBUTIONS}
        badge = max(shares, key=shares.get) if b > 0 else None
        rows.append({
            "model_id": model_id, "name": g["name"][0], "business_unit": g["business_unit"][0],
            "stage": g["stage"][0], "benefit_usd": b, "cost_usd": c, "net_usd": b - c, "roi": roi(b, c),
            "npv_usd": npv(flows, discount_rate),
            "net_to_date_usd": float((g["benefit_usd"] - g["cost_usd"]).sum()),
            "payback_month": payback_month(list(g["month"]), list(g["benefit_usd"] - g["cost_usd"])),
            "attribution": badge,
            **{f"share_{a}": (shares[a] / b if b > 0 else None) for a in ATTRIBUTIONS},
        })
    schema = {"model_id": pl.String, "name": pl.String, "business_unit": pl.String, "stage": pl.String,
              "benefit_usd": pl.Float64, "cost_usd": pl.Float64, "net_usd": pl.Float64, "roi": pl.Float64,
              "npv_usd": pl.Float64, "net_to_date_usd": pl.Float64, "payback_month": pl.Date,
              "attribution": pl.String, **{f"share_{a}": pl.Float64 for a in ATTRIBUTIONS}}
    out = pl.DataFrame(rows, schema=schema)
    # models with no entries in the window but history before it are kept (their to-date figures matter)
    return out.sort("net_usd", descending=True)


def value_by_business_unit(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Portfolio roll-up: one row per business unit with benefit, cost, net and ROI in the window."""
    monthly = value_by_month(con, scope)
    out = (monthly.group_by("business_unit")
           .agg(pl.col("benefit_usd").sum(), pl.col("cost_usd").sum(), pl.col("net_usd").sum())
           .sort("net_usd", descending=True))
    return out.with_columns(
        pl.when(pl.col("cost_usd") != 0).then(pl.col("net_usd") / pl.col("cost_usd")).alias("roi"))


def cumulative_value(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per month in the window: portfolio benefit, cost, net and cumulative net (USD),
    cumulating from the window's first month."""
    monthly = value_by_month(con, scope)
    return (monthly.group_by("month").agg(pl.col("benefit_usd").sum(), pl.col("cost_usd").sum(),
                                          pl.col("net_usd").sum())
            .sort("month").with_columns(pl.col("net_usd").cum_sum().alias("cumulative_net_usd")))


def ledger_history(con: duckdb.DuckDBPyConnection, scope: Scope, *, model_ids=None,
                   current_only: bool = False) -> pl.DataFrame:
    """Ledger entries for months in the window, newest first, each with its attribution badge
    (``attribution_label``) and interval where one exists; ``is_current`` marks the figure in force."""
    out = scope.run(con, "roi_ledger_history", model_ids=list(model_ids) if model_ids else None)
    if current_only:
        out = out.filter(pl.col("is_current"))
    return out.with_columns(pl.col("attribution").replace_strict(ATTRIBUTION_LABELS, default=None)
                            .alias("attribution_label"))


# ---------------------------------------------------------------- what-if and incentive KPIs

@dataclass(frozen=True)
class WhatIf:
    """Annualised portfolio value now and under a scenario (USD a year)."""

    months: int  # ledger months in the window the baseline is annualised from
    share_affected: float  # share of the benefit tied to usage in the selected countries
    annual_benefit_usd: float
    annual_cost_usd: float
    annual_net_usd: float
    scenario_benefit_usd: float
    scenario_cost_usd: float
    scenario_net_usd: float

    @property
    def delta_net_usd(self) -> float:
        return self.scenario_net_usd - self.annual_net_usd


def what_if(con: duckdb.DuckDBPyConnection, scope: Scope, *, adoption_change: float,
            cost_change: float) -> WhatIf:
    """Annual value if adoption moves by ``adoption_change`` (0.2 = +20%) among users in the scope's countries
    (all when None) and cost moves by ``cost_change``.

    Assumptions, stated so they can be challenged: a model's benefit scales linearly with its
    invocations; the selected countries' part of a model's benefit is their share of its invocations
    in the window (from the weekly usage rollup); cost changes apply to the whole cost. The baseline is
    the window's ledger totals scaled to 12 months.
    """
    if adoption_change < -1 or cost_change < -1:
        raise InputError("Adoption and cost changes cannot go below -100%.")
    countries = scope.countries
    models = model_value(con, scope)
    months = scope.run(con, "roi_ledger_months")["n"][0]
    scale = 12 / months if months else 0.0
    share = scope.run(con, "roi_usage_share")
    joined = models.join(share, on="model_id", how="left").with_columns(
        pl.when(pl.col("n_invocations") > 0)
        .then(pl.col("n_invocations_selected") / pl.col("n_invocations"))
        # a model without usage data: all of its benefit is affected only when no country is selected
        .otherwise(pl.lit(1.0 if not countries else 0.0)).alias("share"))
    benefit = float(joined["benefit_usd"].sum()) * scale
    cost = float(joined["cost_usd"].sum()) * scale
    affected = float((joined["benefit_usd"] * joined["share"]).sum()) * scale
    new_benefit = benefit + affected * adoption_change
    new_cost = cost * (1 + cost_change)
    return WhatIf(int(months), affected / benefit if benefit else 0.0, benefit, cost, benefit - cost,
                  new_benefit, new_cost, new_benefit - new_cost)


def revenue_per_run(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Incentive KPI: incremental revenue (ledger, window) per model run (scored requests, window),
    one row per model with both."""
    models = model_value(con, scope)
    hist = ledger_history(con, scope, current_only=True)
    rev = (hist.filter(pl.col("category") == "incremental_revenue").group_by("model_id")
           .agg(pl.col("amount_usd").sum().alias("incremental_revenue_usd")))
    runs = scope.run(con, "roi_runs_by_model")
    out = (models.select("model_id", "name", "business_unit").join(rev, on="model_id", how="inner")
           .join(runs, on="model_id", how="left"))
    return out.with_columns(
        pl.when(pl.col("n_runs") > 0).then(pl.col("incremental_revenue_usd") / pl.col("n_runs"))
        .alias("revenue_per_run_usd")).sort("incremental_revenue_usd", descending=True)


def deployments_per_month(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Incentive KPI (MLOps maturity): successful production deployments and all attempts per month."""
    return scope.run(con, "roi_deployments_monthly")


# ---------------------------------------------------------------- the one write path

LEDGER_INPUT_COLUMNS = ("month", "model_id", "category", "amount_usd", "attribution", "ci_low_usd",
                        "ci_high_usd", "note")


def _parse_month(value, line: int) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text if len(text) > 7 else text + "-01")
        except ValueError:
            raise InputError(f"Row {line}: month '{value}' is not a date; write it as YYYY-MM-01.") from None
    if not isinstance(value, date):
        raise InputError(f"Row {line}: month is missing; write it as YYYY-MM-01.")
    if value.day != 1:
        raise InputError(f"Row {line}: month {value} must be the first day of a month "
                         f"(use {value.replace(day=1)}).")
    return value


def _parse_amount(value, line: int, column: str, *, required: bool) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()) or (
            isinstance(value, float) and math.isnan(value)):
        if required:
            raise InputError(f"Row {line}: {column} is missing; enter a number in US dollars.")
        return None
    try:
        out = float(str(value).replace(",", "").replace("$", "").strip()) if isinstance(value, str) \
            else float(value)
    except (TypeError, ValueError):
        raise InputError(f"Row {line}: {column} '{value}' is not a number; enter US dollars "
                         "like 12500.50.") from None
    if not math.isfinite(out):
        raise InputError(f"Row {line}: {column} must be a finite number.")
    return out


def validate_entries(rows: list[dict] | pl.DataFrame, *, actor: str, known_models: set[str],
                     now: datetime | None = None) -> pa.Table:
    """Check user-supplied ledger rows and return them as a ``value_ledger`` table stamped with
    ``entered_by = actor`` and ``entered_at = now``. Raises ``InputError`` naming the row (1-based, as in
    the CSV after its header) and column for the first problem; never partially accepts."""
    if isinstance(rows, pl.DataFrame):
        unknown = set(rows.columns) - set(LEDGER_INPUT_COLUMNS)
        if unknown:
            raise InputError(f"Unknown column(s) {', '.join(sorted(unknown))}; the ledger accepts "
                             f"{', '.join(LEDGER_INPUT_COLUMNS)}.")
        rows = rows.to_dicts()
    if not rows:
        raise InputError("There are no rows to add.")
    if not actor or not actor.strip():
        raise InputError("Entries need the name of who entered them.")
    now = now or datetime.now(UTC)
    out = []
    for i, r in enumerate(rows, start=1):
        model_id = (r.get("model_id") or "").strip() if isinstance(r.get("model_id"), str) else r.get("model_id")
        if not model_id:
            raise InputError(f"Row {i}: model_id is missing.")
        if model_id not in known_models:
            raise InputError(f"Row {i}: unknown model '{model_id}'; use a model_id from the inventory.")
        category = (r.get("category") or "").strip()
        if category not in LEDGER_CATEGORIES:
            raise InputError(f"Row {i}: category '{category}' must be one of {', '.join(LEDGER_CATEGORIES)}.")
        attribution = (r.get("attribution") or "").strip()
        if attribution not in ATTRIBUTIONS:
            raise InputError(f"Row {i}: attribution '{attribution}' must be one of {', '.join(ATTRIBUTIONS)}.")
        amount = _parse_amount(r.get("amount_usd"), i, "amount_usd", required=True)
        if amount < 0:
            raise InputError(f"Row {i}: amount_usd must not be negative; benefits and costs are both "
                             "entered as positive amounts (the category says which it is).")
        low = _parse_amount(r.get("ci_low_usd"), i, "ci_low_usd", required=False)
        high = _parse_amount(r.get("ci_high_usd"), i, "ci_high_usd", required=False)
        if (low is None) != (high is None):
            raise InputError(f"Row {i}: give both ci_low_usd and ci_high_usd, or neither.")
        if low is not None and not low <= amount <= high:
            raise InputError(f"Row {i}: the interval [{low}, {high}] must contain amount_usd {amount}.")
        note = r.get("note")
        out.append({"month": _parse_month(r.get("month"), i), "model_id": model_id, "category": category,
                    "amount_usd": amount, "attribution": attribution, "ci_low_usd": low,
                    "ci_high_usd": high, "entered_by": actor.strip(), "entered_at": now,
                    "note": None if note is None or (isinstance(note, float) and math.isnan(note))
                    else str(note)})
    return pa.Table.from_pylist(out, schema=VALUE_LEDGER.schema)


def record_entries(root: Path | str, rows: list[dict] | pl.DataFrame, *, actor: str,
                   units: tuple[str, ...] | None = None, now: datetime | None = None) -> int:
    """Validate and append ledger rows (a form or a CSV upload) as one new file; return how many.

    Corrections are new rows for the same (month, model, category): the newest is the figure in force
    and the old one stays in the history. Nothing is written when any row is invalid. With ``units``
    (the writer's data scope) a model of another business unit reads as unknown."""
    con = connection.connect(root, tables=["models"])
    try:
        known = set(Scope(date.today(), date.today(), allowed_units=units).run(con, "model_names")["model_id"])
    finally:
        con.close()
    return append_ledger(root, validate_entries(rows, actor=actor, known_models=known, now=now))


def append_ledger(root: Path | str, table: pa.Table) -> int:
    """The one writer of ``value_ledger``: append rows already validated and stamped with who and
    when as one new file; return how many (nothing is written for none)."""
    if table.num_rows:
        storage.append(root, "value_ledger", table.cast(VALUE_LEDGER.schema))
    return table.num_rows


def read_entries_csv(data: bytes) -> pl.DataFrame:
    """Parse an uploaded ledger CSV (all columns as text; ``validate_entries`` does the typing)."""
    try:
        return pl.read_csv(data, infer_schema=False)
    except Exception as exc:  # polars raises several types for malformed CSV
        raise InputError(f"The file could not be read as CSV ({type(exc).__name__}); save it as "
                         "comma-separated text with a header row.") from exc


def forecast_error_reduction(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Incentive KPI for regressors: how much smaller the model's error is than a naive forecast that
    always predicts the mean of the actual values, over labelled predictions in weeks starting in the
    window: ``1 - RMSE(model) / SD(actual)`` (1 = perfect, 0 = no better than the mean, < 0 = worse).
    One row per regression model: n_labelled, rmse, sd_actual, forecast_error_reduction. Reads the
    performance rollup, never raw rows. The country filter does not apply (outcomes carry no country)."""
    return scope.run(con, "roi_forecast_error_reduction")
