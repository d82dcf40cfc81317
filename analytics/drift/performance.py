"""Model performance over time from delayed labels (rollup ``drift_performance``).

Per week of prediction: AUC, accuracy and F1 (threshold 0.5) for classifiers, RMSE and MAE for
regressors, with a band of the reference mean +- 3 standard deviations of the reference weeks
(the weeks inside the version's reference window; when fewer than 3 have labels, the model's
first 8 labelled weeks).

Scores are kept in 1/1000 bins, so accuracy and F1 are exact (a score is >= 0.5 exactly when its
bin is >= 500) and AUC is exact up to ties inside a bin: |AUC_bins - AUC_exact| <= 0.5 * sum over
bins of positives x negatives in the bin / (P x N), reported as ``auc_bound``.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl

from analytics import sql

METRICS = {"classification": ("auc", "accuracy", "f1"), "regression": ("rmse", "mae")}
HIGHER_IS_BETTER = {"auc": True, "accuracy": True, "f1": True, "rmse": False, "mae": False}


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


def performance(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str | None,
                ref_start: date | None, ref_end: date | None) -> pl.DataFrame:
    """Weekly performance of a model (all versions when ``version`` is None) in long format:
    week_start, metric, value, band_low, band_high, ref_mean, is_reference, breach."""
    task = sql.run(con, "drift_model_task", model_id=model_id)
    task = task["task"][0] if task.height else "classification"
    rows = sql.run(con, "drift_performance_model", model_id=model_id, version=version)
    if rows.height == 0:
        return pl.DataFrame()
    weekly = weekly_metrics(rows, task)
    in_ref = (pl.col("week_start") >= ref_start) & (pl.col("week_start") <= ref_end) if ref_start and ref_end \
        else pl.lit(False)
    weekly = weekly.with_columns(is_reference=in_ref)
    if weekly["is_reference"].sum() < 3:
        weekly = weekly.with_columns(is_reference=pl.int_range(pl.len()) < 8)
    long = []
    for metric in METRICS[task]:
        # a week without both classes has no AUC (NaN): it is no evidence for the band either way
        ref = weekly.filter("is_reference")[metric].drop_nulls().fill_nan(None).drop_nulls().to_numpy()
        mean, sd = (float(ref.mean()), float(ref.std(ddof=1))) if ref.size > 1 else (float("nan"), 0.0)
        frame = weekly.select("week_start", "n_labelled", "is_reference", value=pl.col(metric)).with_columns(
            metric=pl.lit(metric), ref_mean=pl.lit(mean), band_low=pl.lit(mean - 3 * sd),
            band_high=pl.lit(mean + 3 * sd))
        bad = pl.col("value") < pl.col("band_low") if HIGHER_IS_BETTER[metric] else pl.col("value") > pl.col(
            "band_high")
        # polars orders NaN above every number: without a finite band and value there is no breach
        known = pl.col("value").is_not_nan() & pl.col("band_low").is_not_nan() & pl.col("band_high").is_not_nan()
        long.append(frame.with_columns(breach=(bad & known & ~pl.col("is_reference")).fill_null(False)))
    return pl.concat(long)
