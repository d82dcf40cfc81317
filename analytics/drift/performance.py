"""Model performance over time from delayed labels (rollup ``drift_performance``).

Per week of prediction: AUC, accuracy and F1 (threshold 0.5) for classifiers, RMSE and MAE for
regressors, each judged against a band of mean +- 3 standard deviations of *out-of-sample* weeks,
clipped to the metric's range (0-1 for AUC, accuracy, F1; >= 0 for errors):

* the band weeks are the weeks of the version's declared validation window
  (``model_versions.validation_start_at .. validation_end_at``) when it has one; else the first
  ``BAND_WEEKS`` = 8 matured weeks that start after the training window ends (weeks inside the
  training window are in-sample when training requests are logged with outcomes: they score far
  better than the model ever will again); without a training window, the first 8 matured weeks;
* fewer than ``MIN_BAND_WEEKS`` = 3 band weeks with a value: no band, nothing judged;
* a week whose labels have not matured is *provisional* and never judged nor used for a band:
  fewer than ``MIN_LABELLED`` = 50 labels, or a label coverage (labelled / scored requests) below
  ``MATURE_SHARE`` = 80% of the model's median weekly coverage (a share of its labels is still to come).

Scores are kept in 1/1000 bins, so accuracy and F1 are exact (a score is >= 0.5 exactly when its
bin is >= 500) and AUC is exact up to ties inside a bin: |AUC_bins - AUC_exact| <= 0.5 * sum over
bins of positives x negatives in the bin / (P x N), reported as ``auc_bound``.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from analytics import sql

METRICS = {"classification": ("auc", "accuracy", "f1"), "regression": ("rmse", "mae")}
HIGHER_IS_BETTER = {"auc": True, "accuracy": True, "f1": True, "rmse": False, "mae": False}
METRIC_RANGE = {"auc": (0.0, 1.0), "accuracy": (0.0, 1.0), "f1": (0.0, 1.0), "rmse": (0.0, np.inf),
                "mae": (0.0, np.inf)}
METRIC_LABELS = {"auc": "AUC", "accuracy": "accuracy", "f1": "F1 score", "rmse": "RMSE (error)",
                 "mae": "mean absolute error"}
BAND_WEEKS = 8
MIN_BAND_WEEKS = 3
MIN_LABELLED = 50  # a week with fewer labels (delayed ground truth) is provisional
MATURE_SHARE = 0.8  # ... and so is one whose label coverage is below 80% of the model's usual


def auc_from_bins(pos: np.ndarray, neg: np.ndarray) -> tuple[float, float]:
    """(AUC, bound) from positive and negative counts per ascending score bin; ties count one half."""
    p, n = pos.sum(), neg.sum()
    if p == 0 or n == 0:
        return float("nan"), float("nan")
    neg_below = np.cumsum(neg) - neg
    auc = float((pos * neg_below).sum() + 0.5 * (pos * neg).sum()) / (p * n)
    return auc, float(0.5 * (pos * neg).sum() / (p * n))


def weekly_metrics(rows: pl.DataFrame, task: str) -> pl.DataFrame:
    """One row per week: n_labelled and the task's metrics, from ``drift_performance`` rows."""
    out = []
    for (week,), g in rows.group_by("week_start", maintain_order=True):
        n = int(g["n"].sum())
        rec = {"week_start": week, "n_labelled": n}
        if task == "classification":
            cls = g.filter(pl.col("score_bin").is_not_null())
            pos = np.zeros(1001)
            neg = np.zeros(1001)
            for lab, arr in ((1.0, pos), (0.0, neg)):
                sub = cls.filter(pl.col("label") == lab)
                np.add.at(arr, sub["score_bin"].to_numpy(), sub["n"].to_numpy())
            auc, bound = auc_from_bins(pos, neg)
            tp, fp = pos[500:].sum(), neg[500:].sum()
            fn, tn = pos[:500].sum(), neg[:500].sum()
            total = tp + fp + fn + tn
            rec.update(auc=auc, auc_bound=bound, accuracy=(tp + tn) / total if total else None,
                       f1=2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else None)
        else:
            rec.update(rmse=float(np.sqrt(g["sum_sq_err"].sum() / n)) if n else None,
                       mae=float(g["sum_abs_err"].sum() / n) if n else None)
        out.append(rec)
    return pl.DataFrame(out).sort("week_start") if out else pl.DataFrame()


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def maturity(weekly: pl.DataFrame, predicted: pl.DataFrame) -> pl.DataFrame:
    """Add ``n_predicted``, ``coverage`` and ``is_provisional`` to weekly metrics (see the module doc)."""
    w = weekly.join(predicted, on="week_start", how="left").with_columns(
        coverage=pl.col("n_labelled") / pl.col("n_predicted"))
    typical = w["coverage"].drop_nulls().median()
    low = pl.col("coverage") < MATURE_SHARE * typical if typical is not None else pl.lit(False)
    return w.with_columns(is_provisional=(pl.col("n_labelled") < MIN_LABELLED) | low.fill_null(False))


def band_weeks(weekly: pl.DataFrame, *, ref_end: date | None, val_start: date | None = None,
               val_end: date | None = None) -> tuple[pl.Expr, str]:
    """Which matured weeks make the band (an expression over ``week_start``) and, in words, why."""
    matured = ~pl.col("is_provisional")
    if val_start and val_end:
        return matured & pl.col("week_start").is_between(val_start, val_end), (
            f"the validation window {_day(val_start)} – {_day(val_end)}")
    after = pl.col("week_start") > ref_end if ref_end else pl.lit(True)
    picked = weekly.filter(matured & after).sort("week_start").head(BAND_WEEKS)["week_start"]
    where = "after the training window" if ref_end else "the first matured weeks"
    if picked.len() == 0:
        return pl.lit(False), f"weeks {where} (none has matured labels yet)"
    return pl.col("week_start").is_in(picked.to_list()), (
        f"{picked.len()} weeks {where}, {_day(picked.min())} – {_day(picked.max() + timedelta(days=6))}")


def performance(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str | None,
                ref_start: date | None, ref_end: date | None, val_start: date | None = None,
                val_end: date | None = None) -> pl.DataFrame:
    """Weekly performance of a model (all versions when ``version`` is None) in long format:
    week_start, metric, value, n_labelled, n_predicted, is_provisional, is_reference (a band week),
    ref_mean, band_low, band_high (null without enough band weeks), band_source (which weeks made
    the band, in words) and breach (a matured, non-band week outside the band)."""
    task = sql.run(con, "drift_model_task", model_id=model_id)
    task = task["task"][0] if task.height else "classification"
    rows = sql.run(con, "drift_performance_model", model_id=model_id, version=version)
    if rows.height == 0:
        return pl.DataFrame()
    predicted = sql.run(con, "drift_predictions_weekly", model_id=model_id, version=version)
    weekly = maturity(weekly_metrics(rows, task), predicted)
    in_band, source = band_weeks(weekly, ref_end=ref_end, val_start=val_start, val_end=val_end)
    weekly = weekly.with_columns(is_reference=in_band)
    long = []
    for metric in METRICS[task]:
        # a week without both classes has no AUC (NaN): it is no evidence for the band either way
        ref = weekly.filter("is_reference")[metric].drop_nulls().fill_nan(None).drop_nulls().to_numpy()
        lo_range, hi_range = METRIC_RANGE[metric]
        if ref.size >= MIN_BAND_WEEKS:
            mean, sd = float(ref.mean()), float(ref.std(ddof=1))
            low, high = max(mean - 3 * sd, lo_range), min(mean + 3 * sd, hi_range)
            said = source
        else:
            mean = low = high = None
            said = f"no band yet: fewer than {MIN_BAND_WEEKS} {source.split(',')[0]} have a value"
        frame = weekly.select("week_start", "n_labelled", "n_predicted", "is_provisional", "is_reference",
                              value=pl.col(metric).cast(pl.Float64)).with_columns(
            metric=pl.lit(metric), ref_mean=pl.lit(mean, pl.Float64), band_low=pl.lit(low, pl.Float64),
            band_high=pl.lit(high, pl.Float64), band_source=pl.lit(said))
        bad = pl.col("value") < pl.col("band_low") if HIGHER_IS_BETTER[metric] else pl.col("value") > pl.col(
            "band_high")
        # polars orders NaN above every number: without a finite value there is no breach
        judged = pl.col("value").is_not_nan() & ~pl.col("is_reference") & ~pl.col("is_provisional")
        long.append(frame.with_columns(breach=(bad & judged).fill_null(False)))
    return pl.concat(long)
