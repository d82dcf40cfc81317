"""A/B tests on model changes: lift with intervals, p-values, chance to win, CUPED, SRM, BH.

``compare_variants`` works on any table of units (one row per unit: variant, metric value, optional
pre-period covariate). Statistics, all two-sided at 95%:

* **means**: Welch's t-test (p-value and interval for the difference, as ``scipy.stats.ttest_ind(
  equal_var=False)``);
* **proportions**: pooled two-proportion z-test for the p-value (as ``statsmodels proportions_ztest``)
  and the unpooled Wald interval for the difference (as ``statsmodels confint_proportions_2indep(
  method="wald")``);
* **relative lift** = treatment mean / control mean - 1 with a delta-method normal interval;
* **chance to win** = posterior probability that treatment beats control: exact Beta-Binomial with a
  uniform prior for proportions, normal approximation of the difference for means;
* **CUPED** (when a covariate is given): ``y - theta * (x - mean(x))`` with ``theta = cov(y, x) /
  var(x)`` on the pooled two arms, then Welch on the adjusted values; ``cuped`` is the variance
  reduction ``1 - var(adjusted) / var(y)`` (None without a covariate);
* **SRM**: chi-square goodness of fit of the assignment counts (flag at p < 0.001);
* **Benjamini-Hochberg** adjusted p-values (q-values) across the metrics of one experiment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
from scipy import special, stats

from analytics import sql
from analytics.errors import InputError, NoDataError
from analytics.lakehouse import connection
from analytics.lakehouse.schema import VALUE_LEDGER
from analytics.product import roi
from analytics.product.scope import Scope, everything

ALPHA = 0.05
SRM_ALPHA = 0.001
MIN_UNITS_PER_ARM = 2000  # below this no verdict is shown, whatever the p-value (guards against peeking)
RESULT_SCHEMA = {
    "variant": pl.String, "n_control": pl.Int64, "n_treatment": pl.Int64, "mean_control": pl.Float64,
    "mean_treatment": pl.Float64, "diff": pl.Float64, "diff_ci_low": pl.Float64, "diff_ci_high": pl.Float64,
    "p_value": pl.Float64, "lift": pl.Float64, "lift_ci_low": pl.Float64, "lift_ci_high": pl.Float64,
    "chance_to_win": pl.Float64, "cuped": pl.Float64,
}


# ---------------------------------------------------------------- building blocks

def welch(y_t: np.ndarray, y_c: np.ndarray) -> tuple[float, float, float, float, float]:
    """(diff, se, df, p_value, half_width) of Welch's t-test for mean(y_t) - mean(y_c)."""
    nt, nc = len(y_t), len(y_c)
    vt, vc = y_t.var(ddof=1) / nt, y_c.var(ddof=1) / nc
    diff = float(y_t.mean() - y_c.mean())
    se = math.sqrt(vt + vc)
    if se == 0:
        return diff, 0.0, float("nan"), (1.0 if diff == 0 else 0.0), 0.0
    df = (vt + vc) ** 2 / (vt ** 2 / (nt - 1) + vc ** 2 / (nc - 1))
    p = float(2 * stats.t.sf(abs(diff / se), df))
    return diff, se, float(df), p, float(stats.t.ppf(0.975, df) * se)


def two_proportions(x_t: int, n_t: int, x_c: int, n_c: int) -> tuple[float, float, float, float]:
    """(diff, p_value pooled z, ci_low, ci_high Wald unpooled) for p_t - p_c."""
    pt, pc = x_t / n_t, x_c / n_c
    pooled = (x_t + x_c) / (n_t + n_c)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n_t + 1 / n_c))
    diff = pt - pc
    p = float(2 * stats.norm.sf(abs(diff / se0))) if se0 > 0 else (1.0 if diff == 0 else 0.0)
    half = stats.norm.ppf(0.975) * math.sqrt(pt * (1 - pt) / n_t + pc * (1 - pc) / n_c)
    return diff, p, diff - half, diff + half


def relative_lift(m_t: float, v_t: float, n_t: int, m_c: float, v_c: float, n_c: int
                  ) -> tuple[float | None, float | None, float | None]:
    """m_t / m_c - 1 and its 95% delta-method interval (v_* are unit variances); None when m_c = 0."""
    if m_c == 0:
        return None, None, None
    lift = m_t / m_c - 1
    se = math.sqrt(v_t / (n_t * m_c ** 2) + m_t ** 2 * v_c / (n_c * m_c ** 4))
    z = stats.norm.ppf(0.975)
    return lift, lift - z * se, lift + z * se


def prob_beta_greater(a_t: float, b_t: float, a_c: float, b_c: float) -> float:
    """P(X_t > X_c) for X_t ~ Beta(a_t, b_t), X_c ~ Beta(a_c, b_c) with integer a_t (exact sum)."""
    i = np.arange(int(a_t), dtype=float)
    terms = (special.betaln(a_c + i, b_c + b_t) - np.log(b_t + i) - special.betaln(1 + i, b_t)
             - special.betaln(a_c, b_c))
    return float(min(1.0, max(0.0, np.exp(special.logsumexp(terms)))))


def srm_p_value(counts, expected_shares=None) -> float:
    """Chi-square goodness-of-fit p-value of assignment counts against the expected shares (equal
    split when None). A p-value below 0.001 means the split is broken: do not trust the results."""
    obs = np.asarray(counts, dtype=float)
    if obs.ndim != 1 or len(obs) < 2 or (obs < 0).any():
        raise InputError("SRM needs the unit counts of at least two variants.")
    shares = np.full(len(obs), 1 / len(obs)) if expected_shares is None else np.asarray(expected_shares, float)
    if len(shares) != len(obs) or (shares <= 0).any():
        raise InputError("Give one positive expected share per variant.")
    expected = obs.sum() * shares / shares.sum()
    return float(stats.chi2.sf(((obs - expected) ** 2 / expected).sum(), len(obs) - 1))


def benjamini_hochberg(p_values) -> list[float]:
    """Benjamini-Hochberg adjusted p-values (q-values), in the input order."""
    p = np.asarray(p_values, dtype=float)
    n = len(p)
    if n == 0:
        return []
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(n)
    out[order] = np.minimum(adjusted, 1.0)
    return out.tolist()


# ---------------------------------------------------------------- the entry point

def cuped_adjust(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, float]:
    """CUPED-adjusted values and the variance reduction (missing covariates take the mean: no
    adjustment for those units)."""
    x = np.where(np.isnan(x), np.nanmean(x) if np.isfinite(x).any() else 0.0, x)
    var_x = x.var(ddof=1)
    if not var_x > 0:
        return y, 0.0
    theta = np.cov(y, x, ddof=1)[0, 1] / var_x
    adj = y - theta * (x - x.mean())
    var_y = y.var(ddof=1)
    return adj, float(1 - adj.var(ddof=1) / var_y) if var_y > 0 else 0.0


def compare_variants(df: pl.DataFrame, *, variant_col: str, metric_col: str, control: str,
                     metric_kind: str = "mean", covariate_col: str | None = None,
                     higher_is_better: bool = True) -> pl.DataFrame:
    """One row per treatment variant against ``control`` (see the module docstring for the
    statistics). Raises ``InputError`` for unknown columns, kinds, a missing control or an arm with
    fewer than two units; rows with a null metric are dropped."""
    if metric_kind not in ("mean", "proportion"):
        raise InputError(f"metric_kind must be 'mean' or 'proportion', not '{metric_kind}'.")
    for c in (variant_col, metric_col, covariate_col):
        if c is not None and c not in df.columns:
            raise InputError(f"Column '{c}' is not in the table; columns are {', '.join(df.columns)}.")
    data = df.filter(pl.col(metric_col).is_not_null())
    y_all = data[metric_col].cast(pl.Float64).to_numpy()
    if metric_kind == "proportion" and not np.isin(y_all, (0.0, 1.0)).all():
        raise InputError(f"A proportion metric must be 0 or 1 per unit; '{metric_col}' has other values.")
    variants = data[variant_col].cast(pl.String).to_numpy()
    if control not in set(variants):
        raise InputError(f"The control variant '{control}' has no units with a '{metric_col}' value.")
    x_all = (data[covariate_col].cast(pl.Float64).fill_null(float("nan")).to_numpy()
             if covariate_col else None)
    rows = []
    for variant in sorted(set(variants) - {control}):
        mask_t, mask_c = variants == variant, variants == control
        y_t, y_c = y_all[mask_t], y_all[mask_c]
        if len(y_t) < 2 or len(y_c) < 2:
            raise InputError(f"Variant '{variant}' or control '{control}' has fewer than two units.")
        cuped = None
        if x_all is not None:
            both = mask_t | mask_c
            adj, cuped = cuped_adjust(y_all[both], x_all[both])
            a_t, a_c = adj[mask_t[both]], adj[mask_c[both]]
        else:
            a_t, a_c = y_t, y_c
        if metric_kind == "proportion" and x_all is None:
            x_t, x_c = int(y_t.sum()), int(y_c.sum())
            diff, p, lo, hi = two_proportions(x_t, len(y_t), x_c, len(y_c))
            v_t, v_c = y_t.mean() * (1 - y_t.mean()), y_c.mean() * (1 - y_c.mean())
            win = prob_beta_greater(1 + x_t, 1 + len(y_t) - x_t, 1 + x_c, 1 + len(y_c) - x_c)
        else:
            diff, se, _df, p, half = welch(a_t, a_c)
            lo, hi = diff - half, diff + half
            v_t, v_c = a_t.var(ddof=1), a_c.var(ddof=1)
            win = float(stats.norm.cdf(diff / se)) if se > 0 else (0.5 if diff == 0 else float(diff > 0))
        lift, lift_lo, lift_hi = relative_lift(float(a_t.mean()), v_t, len(a_t), float(a_c.mean()), v_c,
                                               len(a_c))
        rows.append({
            "variant": variant, "n_control": len(y_c), "n_treatment": len(y_t),
            "mean_control": float(y_c.mean()), "mean_treatment": float(y_t.mean()),
            "diff": diff, "diff_ci_low": lo, "diff_ci_high": hi, "p_value": p,
            "lift": lift, "lift_ci_low": lift_lo, "lift_ci_high": lift_hi,
            "chance_to_win": win if higher_is_better else 1 - win, "cuped": cuped,
        })
    return pl.DataFrame(rows, schema=RESULT_SCHEMA)


# ---------------------------------------------------------------- experiments in the lakehouse

LOWER_IS_BETTER_WORDS = ("error", "latency", "cost", "churn", "complaint", "bounce")


def higher_is_better(metric: str) -> bool:
    """Direction of a metric from its name: error, latency, cost, churn, complaints, bounces go down."""
    return not any(w in metric.lower() for w in LOWER_IS_BETTER_WORDS)


COUNTRY_IGNORED = "Country filter does not apply here: experiment units carry no country."


def list_experiments(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """A/B tests overlapping the window whose model is in the scope's business units; newest first.
    Countries do not apply (units carry no country)."""
    return scope.run(con, "experiments_list")


@dataclass(frozen=True)
class ExperimentResult:
    experiment_id: str
    control: str
    primary_metric: str | None
    counts: pl.DataFrame  # variant, n_units, share
    srm_p_value: float | None
    srm_ok: bool
    results: pl.DataFrame  # metric, metric_kind, compare_variants columns, q_value, verdict
    verdict: str  # the primary metric's verdict, in words


def verdict_of(row: dict, *, srm_ok: bool, min_units: int, alpha: float = ALPHA) -> str:
    """Plain-words verdict for one metric row (rules in order: SRM, minimum sample, significance)."""
    if not srm_ok:
        return "Sample ratio mismatch: do not trust"
    if min(row["n_control"], row["n_treatment"]) < min_units:
        return f"Not enough data yet (< {min_units:,} units per arm)"
    if row["q_value"] >= alpha:
        return "No detectable difference"
    return "Winner" if row["chance_to_win"] >= 0.5 else "Loser"


def analyze_experiment(con: duckdb.DuckDBPyConnection, scope: Scope, *, experiment_id: str,
                       min_units_per_arm: int = MIN_UNITS_PER_ARM, alpha: float = ALPHA) -> ExperimentResult:
    """Every metric of one experiment compared against its control, with SRM and BH q-values. An
    experiment whose model is outside the scope's business units reads as absent."""
    defs = scope.run(con, "experiment_def", experiment_id=experiment_id)
    if defs.is_empty():
        raise InputError(f"There is no experiment '{experiment_id}' in your selection.")
    d = defs.row(0, named=True)
    units = sql.run(con, "experiments_units", experiment_id=experiment_id)
    if units.is_empty():
        raise NoDataError(f"Experiment '{experiment_id}' has no units recorded yet.")
    assign = units.unique(["unit_id", "variant"]).group_by("variant").agg(pl.len().alias("n_units"))
    assign = assign.sort("variant").with_columns((pl.col("n_units") / pl.col("n_units").sum()).alias("share"))
    srm_p = srm_p_value(assign["n_units"].to_list()) if assign.height >= 2 else None
    srm_ok = srm_p is None or srm_p >= SRM_ALPHA
    frames = []
    for (metric,), g in units.group_by("metric", maintain_order=True):
        kind = g["metric_kind"].drop_nulls().first() or "mean"
        use_cov = g["pre_value"].drop_nulls().len() > 0
        res = compare_variants(g, variant_col="variant", metric_col="value", control=d["control"],
                               metric_kind=kind, covariate_col="pre_value" if use_cov else None,
                               higher_is_better=higher_is_better(metric))
        frames.append(res.with_columns(pl.lit(metric).alias("metric"), pl.lit(kind).alias("metric_kind")))
    results = pl.concat(frames).sort("metric", "variant")
    results = results.with_columns(pl.Series("q_value", benjamini_hochberg(results["p_value"].to_list())))
    results = results.with_columns(pl.Series("verdict", [
        verdict_of(r, srm_ok=srm_ok, min_units=min_units_per_arm, alpha=alpha)
        for r in results.iter_rows(named=True)], dtype=pl.String))
    results = results.select("metric", "metric_kind", *RESULT_SCHEMA, "q_value", "verdict")
    primary = results.filter(pl.col("metric") == d["primary_metric"])
    verdict = primary["verdict"][0] if primary.height == 1 else (
        "; ".join(f"{v}: {x}" for v, x in primary.select("variant", "verdict").rows()) or "No primary metric")
    return ExperimentResult(experiment_id, d["control"], d["primary_metric"], assign, srm_p, srm_ok, results,
                            verdict)


# ---------------------------------------------------------------- measured value into the ledger

def is_monetary(metric: str) -> bool:
    """Metrics whose unit is US dollars per unit (their lift can be written to the ledger)."""
    m = metric.lower()
    return "revenue" in m or m.endswith("_usd")


def measured_entries(con: duckdb.DuckDBPyConnection, *, min_units_per_arm: int = MIN_UNITS_PER_ARM,
                     now: datetime | None = None) -> pa.Table:
    """Ledger rows for concluded experiments not recorded yet whose primary metric has a single
    winning variant and that measured a metric in US dollars per unit (e.g. ``revenue_per_user``)
    on which that variant also wins.

    Amount = the per-unit difference times the units the test saw per month (all arms: the value if
    everyone had the winning variant), for the month the test ended; the interval scales the
    difference's interval the same way. Attribution "measured", ``entered_by = "experiment:<id>"``.
    """
    now = now or datetime.now(UTC)
    rows = []
    for d in sql.run(con, "experiments_concluded").iter_rows(named=True):
        if d["is_recorded"] or d["ended_at"] is None or d["started_at"] is None:
            continue
        res = analyze_experiment(con, everything(), experiment_id=d["experiment_id"], min_units_per_arm=min_units_per_arm)
        if res.verdict != "Winner":  # the decision is taken on the primary metric only
            continue
        # the dollar value: the primary metric if it is in USD, else the first winning USD metric
        money = res.results.filter(pl.col("metric").map_elements(is_monetary, return_dtype=pl.Boolean)
                                   & (pl.col("verdict") == "Winner"))
        money = money.sort(pl.col("metric") != d["primary_metric"], "metric")
        if money.is_empty() or money["variant"].n_unique() != 1:
            continue
        w = money.row(0, named=True)
        n_units = int(res.counts["n_units"].sum())
        months = max((d["ended_at"] - d["started_at"]).total_seconds() / 86400 / (365.25 / 12), 1.0)
        per_month = n_units / months
        ended = d["ended_at"].astimezone(UTC)
        rows.append({
            "month": date(ended.year, ended.month, 1), "model_id": d["model_id"],
            "category": "incremental_revenue", "amount_usd": w["diff"] * per_month, "attribution": "measured",
            "ci_low_usd": w["diff_ci_low"] * per_month, "ci_high_usd": w["diff_ci_high"] * per_month,
            "entered_by": f"experiment:{d['experiment_id']}", "entered_at": now,
            "line_item": f"experiment:{d['experiment_id']}",
            "note": (f"A/B test {d['experiment_id']} ({w['variant']} vs {res.control}): "
                     f"{w['diff']:+.4g} {w['metric']} per unit x {per_month:,.0f} units a month"),
        })
    return pa.Table.from_pylist(rows, schema=VALUE_LEDGER.schema)


def record_measured_value(root: Path | str, *, now: datetime | None = None) -> int:
    """Append the measured value of newly concluded winning experiments to the value ledger (through
    ``roi.append_ledger``, its one writer).
    Idempotent: an experiment already recorded (``entered_by = "experiment:<id>"``) is skipped."""
    con = connection.connect(root, tables=["experiment_defs", "experiments", "value_ledger", "models"])
    try:
        table = measured_entries(con, now=now)
    finally:
        con.close()
    return roi.append_ledger(root, table)
