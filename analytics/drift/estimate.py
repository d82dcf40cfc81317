"""Performance estimated before labels arrive: confidence-based performance estimation (CBPE).

Labels arrive weeks after predictions, so the realised AUC of a week is known late. CBPE, as NannyML
publishes it, estimates it from the scores alone:

1. **Calibrate** on labelled predictions of the version's calibration weeks: isotonic regression of
   the label on the score (weighted by the count in each 1/1000 score bin, from the rollup
   ``drift_performance``), giving a calibrated probability ``p(b)`` per score bin. The calibration
   weeks are the first ``CALIBRATION_WEEKS`` weeks with at least ``MIN_LABELLED`` labels that start
   after the version's training window (out-of-sample), or its first such weeks when it has none.
2. **Estimate** any week from its score histogram (rollup ``rollup_score_weekly``, every scored
   request, labelled or not): expected positives ``sum n(b) p(b)``; the expected confusion matrix at
   the 0.5 threshold gives accuracy and F1; AUC ranks by the model's own score and counts expected
   positives and negatives (NannyML's ``estimate_roc_auc``), ties within a bin counting one half.
3. **Band**: estimate +- 3 standard errors (Hanley-McNeil for AUC with the expected class counts;
   binomial for accuracy; for F1 the binomial error over its denominator), clipped to [0, 1].

Assumptions and limits (docs/drift.md): only covariate shift, i.e. P(label | score) stays as in the
calibration weeks; a change in that relation (concept drift) is invisible until labels arrive. The
estimate is exact for a perfectly calibrated model and as good as the calibration otherwise.
Classifiers only (scores in [0, 1]); regressors get no estimate.
"""

from __future__ import annotations

from datetime import date

import duckdb
import numpy as np
import polars as pl

from analytics import sql
from analytics.drift.performance import auc_from_bins
from analytics.errors import NoDataError

CALIBRATION_WEEKS = 8
MIN_LABELLED = 50  # a week with fewer labels does not calibrate (as the realised metric's rule)
N_BINS = 1001
THRESHOLD_BIN = 500  # score >= 0.5 is a positive prediction
Z = 3.0


def calibrate(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """Calibrated P(label = 1) per score bin: isotonic regression of the label rate on the bin,
    weighted by its count; bins without labels take the fit of their neighbours (clipped)."""
    from sklearn.isotonic import IsotonicRegression

    n = pos + neg
    seen = n > 0
    if not seen.any() or pos.sum() == 0 or neg.sum() == 0:
        raise NoDataError("Calibration needs labelled predictions of both classes.")
    bins = np.arange(pos.size, dtype=float)
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    iso.fit(bins[seen], pos[seen] / n[seen], sample_weight=n[seen])
    return iso.predict(bins)


def estimate_week(hist: np.ndarray, p: np.ndarray) -> dict:
    """Expected metrics and bands for one week's score histogram ``hist`` (counts per bin)."""
    n = hist.sum()
    exp_pos = hist * p
    exp_neg = hist * (1 - p)
    tp, fp = exp_pos[THRESHOLD_BIN:].sum(), exp_neg[THRESHOLD_BIN:].sum()
    fn, tn = exp_pos[:THRESHOLD_BIN].sum(), exp_neg[:THRESHOLD_BIN].sum()
    auc, _bound = auc_from_bins(exp_pos, exp_neg)
    acc = (tp + tn) / n if n else float("nan")
    f1_den = tp + 0.5 * (fp + fn)
    f1 = tp / f1_den if f1_den else float("nan")
    P, N = exp_pos.sum(), exp_neg.sum()
    out = {"n_scored": int(n), "expected_positive_share": P / n if n else None}
    for name, value, se in (
        ("auc", auc, _hanley_mcneil(auc, P, N)),
        ("accuracy", acc, np.sqrt(acc * (1 - acc) / n) if n else float("nan")),
        ("f1", f1, np.sqrt(f1 * (1 - f1) / f1_den) if f1_den else float("nan")),
    ):
        ok = np.isfinite(value)
        out[f"est_{name}"] = float(value) if ok else None
        out[f"est_{name}_lower"] = float(max(0.0, value - Z * se)) if ok and np.isfinite(se) else None
        out[f"est_{name}_upper"] = float(min(1.0, value + Z * se)) if ok and np.isfinite(se) else None
    return out


def _hanley_mcneil(auc: float, pos: float, neg: float) -> float:
    """Standard error of an AUC from the class counts (Hanley & McNeil, 1982)."""
    if not np.isfinite(auc) or pos < 1 or neg < 1:
        return float("nan")
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (pos - 1) * (q1 - auc * auc) + (neg - 1) * (q2 - auc * auc)) / (pos * neg)
    return float(np.sqrt(max(var, 0.0)))


def _hist(rows: pl.DataFrame) -> np.ndarray:
    out = np.zeros(N_BINS)
    np.add.at(out, rows["score_bin"].to_numpy().clip(0, N_BINS - 1), rows["n"].to_numpy())
    return out


def calibration_weeks(labelled: pl.DataFrame, train_end: date | None) -> list[date]:
    """The weeks the calibration uses (see the module docstring)."""
    per_week = labelled.group_by("week_start").agg(pl.col("n").sum()).filter(pl.col("n") >= MIN_LABELLED)
    weeks = sorted(per_week["week_start"].to_list())
    if train_end is not None:
        after = [w for w in weeks if w > train_end]
        weeks = after or weeks
    return weeks[:CALIBRATION_WEEKS]


def estimate(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str,
             train_end: date | None = None) -> pl.DataFrame:
    """One row per week with scored predictions: estimated AUC, accuracy and F1 with their bands,
    and ``is_calibration`` for the weeks the calibration used. Raises ``NoDataError`` when the version
    has no labelled weeks to calibrate on or no scores in [0, 1]."""
    labelled = sql.run(con, "estimate_calibration_rows", model_id=model_id, version=version)
    scores = sql.run(con, "estimate_score_weeks", model_id=model_id, version=version)
    if scores.is_empty():
        raise NoDataError(f"No scores between 0 and 1 logged for {model_id} version {version}.")
    weeks = calibration_weeks(labelled, train_end)
    if not weeks:
        raise NoDataError(f"{model_id} version {version} has no week with {MIN_LABELLED} labels to calibrate on.")
    cal = labelled.filter(pl.col("week_start").is_in(weeks))
    p = calibrate(_hist(cal.filter(pl.col("label") == 1)), _hist(cal.filter(pl.col("label") == 0)))
    rows = []
    for (week,), g in scores.group_by("week_start", maintain_order=True):
        rows.append({"week_start": week, "is_calibration": week in weeks, **estimate_week(_hist(g), p)})
    return pl.DataFrame(rows, infer_schema_length=None).sort("week_start")


def first_flag(series: pl.DataFrame, *, metric: str, lower: float) -> date | None:
    """The first week whose estimate (``est_<metric>``) falls below ``lower``: when the estimate would
    have raised the alarm."""
    hit = series.filter(pl.col(f"est_{metric}") < lower)
    return hit["week_start"].min() if hit.height else None

