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

**Regressors: direct loss estimation (DLE)**, as NannyML publishes it (``estimate_loss``):

1. **Fit** on the reference: the labelled predictions (with logged features) of the version's
   reference weeks (the same rule as the calibration weeks above), two gradient-boosted regression
   trees (scikit-learn's ``HistGradientBoostingRegressor``, ``LOSS_PARAMS``) predicting the absolute
   error ``|y - y_hat|`` and the squared error ``(y - y_hat)^2`` from the logged features and the
   prediction ``y_hat`` (categorical features as categories).
2. **Estimate** any week: MAE = the mean predicted absolute error over the week's scored requests
   with logged features; RMSE = the square root of the mean predicted squared error (predicted losses
   clipped at 0: a loss is never negative).
3. **Band**: estimate +- 3 sampling errors, the standard deviation of the reference's realised losses
   over the square root of the week's rows (NannyML's sampling error; for RMSE through the delta
   method, ``se(MSE) / (2 RMSE)``).

DLE needs feature rows, not rollups: it reads the reference weeks' labelled rows (a fixed, bounded
set) when it has to fit, and otherwise only the weeks whose prediction count changed since the last
refresh (``rollup_predictions_daily``); per-week sums of predicted losses are kept in
``<lakehouse>/_estimates/dle/`` and reused. Same assumption as CBPE (covariate shift only: P(y | x)
stays as in the reference), plus the loss model's capacity: a region of feature space the reference
barely covers gets the trees' nearest leaf, so a shift into new territory is under-estimated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.drift.performance import auc_from_bins
from analytics.errors import NoDataError
from analytics.lakehouse import storage
from analytics.lakehouse.objectstore import locate

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



# ---------------------------------------------------------------------------------------------
# Regressors: direct loss estimation (DLE)

LOSS_PARAMS = {"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 20,
               "early_stopping": False, "random_state": 0}
LOSS_CACHE = ("_estimates", "dle")
LOSSES = ("ae", "se")  # absolute and squared error


@dataclass(frozen=True)
class FeatureSpec:
    """The loss models' inputs, fixed by the reference: numeric features as they are, categorical
    ones as the index of their reference category (unseen or missing: NaN)."""

    numeric: tuple[str, ...]
    categorical: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def from_rows(cls, rows: pl.DataFrame) -> FeatureSpec:
        num = rows.filter(pl.col("value_num").is_not_null())["feature"].unique().sort().to_list()
        cats = rows.filter(pl.col("value_cat").is_not_null()).group_by("feature").agg(
            pl.col("value_cat").unique().sort()).sort("feature")
        return cls(tuple(num), tuple((f, tuple(c)) for f, c in cats.iter_rows() if f not in num))

    def matrix(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
        """One row per request (``request_id``, ``week_start``, ``score``, ``label`` if present) and
        its input matrix: the prediction, then the numeric, then the categorical features."""
        keys = [c for c in ("request_id", "week_start", "score", "label") if c in rows.columns]
        base = rows.select(keys).unique("request_id", keep="first").sort("request_id")
        cols = [base["score"].to_numpy().astype(float)]
        num = rows.filter(pl.col("feature").is_in(list(self.numeric)) & pl.col("value_num").is_not_null())
        wide = base.select("request_id").join(
            num.pivot(on="feature", index="request_id", values="value_num", aggregate_function="first"),
            on="request_id", how="left") if num.height else base.select("request_id")
        for f in self.numeric:
            cols.append(wide[f].cast(pl.Float64).fill_null(np.nan).to_numpy() if f in wide.columns
                        else np.full(base.height, np.nan))
        names = [f for f, _ in self.categorical]
        cat = rows.filter(pl.col("feature").is_in(names) & pl.col("value_cat").is_not_null())
        wide = base.select("request_id").join(
            cat.pivot(on="feature", index="request_id", values="value_cat", aggregate_function="first"),
            on="request_id", how="left") if cat.height else base.select("request_id")
        for f, levels in self.categorical:
            if f not in wide.columns:
                cols.append(np.full(base.height, np.nan))
                continue
            code = wide[f].cast(pl.String).replace_strict(list(levels), list(range(len(levels))), default=None,
                                                          return_dtype=pl.Float64)
            cols.append(code.fill_null(np.nan).to_numpy())
        return base, np.column_stack(cols)

    @property
    def is_categorical(self) -> np.ndarray:
        return np.array([False] * (1 + len(self.numeric)) + [True] * len(self.categorical))


def fit_loss_models(x: np.ndarray, y: np.ndarray, y_hat: np.ndarray, categorical: np.ndarray) -> dict:
    """The two loss models (absolute and squared error) fitted on the reference rows."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    err = y - y_hat
    out = {}
    for name, loss in (("ae", np.abs(err)), ("se", err * err)):
        model = HistGradientBoostingRegressor(categorical_features=categorical if categorical.any() else None,
                                              **LOSS_PARAMS)
        # one thread: a few thousand rows fit in well under a second, while OpenMP threads spin
        # for minutes on a busy machine (measured: 1.2 s per boosting round under load)
        with threadpool_limits(limits=1):
            out[name] = model.fit(x, loss)
        out[f"sd_{name}"] = float(np.std(loss, ddof=1)) if len(loss) > 1 else float("nan")
    return out


def predicted_losses(models: dict, x: np.ndarray) -> dict[str, np.ndarray]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        return {name: np.clip(models[name].predict(x), 0.0, None) for name in LOSSES}


def loss_week(n: float, sum_ae: float, sum_se: float, sd_ae: float, sd_se: float) -> dict:
    """Estimated MAE and RMSE with their bands for one week from its sums of predicted losses."""
    if not n:
        return {f"est_{m}{s}": None for m in ("mae", "rmse") for s in ("", "_lower", "_upper")}
    mae, mse = sum_ae / n, sum_se / n
    rmse = float(np.sqrt(mse))
    out = {}
    for name, value, se in (("mae", mae, sd_ae / np.sqrt(n)),
                            ("rmse", rmse, sd_se / np.sqrt(n) / (2 * rmse) if rmse else float("nan"))):
        out[f"est_{name}"] = float(value)
        ok = np.isfinite(se)
        out[f"est_{name}_lower"] = float(max(0.0, value - Z * se)) if ok else None
        out[f"est_{name}_upper"] = float(value + Z * se) if ok else None
    return out


def _at(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=UTC)


def _cache_path(root, model_id: str, version: str):
    # the file name is a hash: model ids never become path parts
    key = hashlib.sha256(f"{model_id}\x00{version}".encode()).hexdigest()[:24]
    folder = locate(root)
    for part in LOSS_CACHE:
        folder = folder / part
    return folder / f"{key}.parquet"


CACHE_SCHEMA = pa.schema([
    ("model_id", pa.string()), ("version", pa.string()), ("ref_key", pa.string()),
    ("week_start", pa.date32()), ("n_predicted", pa.int64()), ("n_rows", pa.int64()),
    ("sum_ae", pa.float64()), ("sum_se", pa.float64()), ("sd_ae", pa.float64()), ("sd_se", pa.float64()),
])


def estimate_loss(con: duckdb.DuckDBPyConnection, root: Path | str, *, model_id: str, version: str,
                  train_end: date | None = None) -> pl.DataFrame:
    """One row per week with scored, feature-logged predictions of a regressor's version: estimated
    MAE and RMSE with their bands (DLE, see the module docstring), ``n_scored`` (rows with features)
    and ``is_calibration`` for the reference weeks. Incremental: only weeks whose prediction count
    changed since the last call are read again (and the reference, when the models must be refitted).
    Raises ``NoDataError`` without reference weeks or reference rows with features."""
    labelled = sql.run(con, "estimate_labelled_weeks", model_id=model_id, version=version)
    weeks = calibration_weeks(labelled, train_end)
    if not weeks:
        raise NoDataError(f"{model_id} version {version} has no week with {MIN_LABELLED} labels to fit "
                          "the loss model on.")
    counts = {w: n for w, n in sql.run(con, "estimate_prediction_weeks", model_id=model_id,
                                       version=version).iter_rows()}
    ref_key = hashlib.sha256(repr(sorted((str(w), int(n)) for w, n in labelled.filter(
        pl.col("week_start").is_in(weeks)).iter_rows())).encode()).hexdigest()[:16]
    path = _cache_path(root, model_id, version)
    cached = pl.from_arrow(storage.read_table(path)) if path.exists() else pl.DataFrame(schema=pl.Schema(CACHE_SCHEMA))
    cached = cached.filter(pl.col("ref_key") == ref_key)
    known = {w: n for w, n in cached.select("week_start", "n_predicted").iter_rows()}
    todo = sorted(w for w, n in counts.items() if known.get(w) != n)
    if todo or cached.is_empty():
        fresh = _loss_weeks(con, model_id, version, weeks, todo, counts)
        keep = cached.filter(~pl.col("week_start").is_in(todo) & pl.col("week_start").is_in(list(counts)))
        cached = pl.concat([keep, fresh.with_columns(model_id=pl.lit(model_id), version=pl.lit(version),
                                                     ref_key=pl.lit(ref_key)).select(CACHE_SCHEMA.names)],
                           how="vertical_relaxed").sort("week_start")
        storage.atomic_write_parquet(cached.to_arrow().cast(CACHE_SCHEMA), path)
    if cached.is_empty():
        raise NoDataError(f"{model_id} version {version} has no predictions with logged features.")
    rows = [{"week_start": r["week_start"], "is_calibration": r["week_start"] in weeks, "n_scored": r["n_rows"],
             **loss_week(r["n_rows"], r["sum_ae"], r["sum_se"], r["sd_ae"], r["sd_se"])}
            for r in cached.filter(pl.col("n_rows") > 0).iter_rows(named=True)]
    if not rows:
        raise NoDataError(f"{model_id} version {version} has no predictions with logged features.")
    return pl.DataFrame(rows, infer_schema_length=None).sort("week_start")


def _loss_weeks(con, model_id: str, version: str, ref_weeks: list[date], todo: list[date],
                counts: dict) -> pl.DataFrame:
    """Fit the loss models on the reference weeks and sum the predicted losses of the ``todo`` weeks."""
    ref = sql.run(con, "estimate_loss_reference_rows", model_id=model_id, version=version,
                  start_at=_at(min(ref_weeks)), end_at=_at(max(ref_weeks) + timedelta(days=7)))
    ref = ref.filter(pl.col("week_start").is_in(ref_weeks))
    if ref.is_empty():
        raise NoDataError(f"{model_id} version {version} has no labelled predictions with logged features "
                          "in its reference weeks.")
    spec = FeatureSpec.from_rows(ref)
    base, x = spec.matrix(ref)
    y, y_hat = base["label"].to_numpy().astype(float), base["score"].to_numpy().astype(float)
    models = fit_loss_models(x, y, y_hat, spec.is_categorical)
    out = []
    for lo, hi in _runs(todo):
        rows = sql.run(con, "estimate_loss_rows", model_id=model_id, version=version, start_at=_at(lo),
                       end_at=_at(hi + timedelta(days=7)))
        if rows.is_empty():
            sums = pl.DataFrame(schema={"week_start": pl.Date, "n_rows": pl.Int64, "sum_ae": pl.Float64,
                                        "sum_se": pl.Float64})
        else:
            b, xw = spec.matrix(rows)
            loss = predicted_losses(models, xw)
            sums = b.select("week_start").with_columns(ae=loss["ae"], se=loss["se"]).group_by("week_start").agg(
                n_rows=pl.len().cast(pl.Int64), sum_ae=pl.col("ae").sum(), sum_se=pl.col("se").sum())
        weeks = pl.DataFrame({"week_start": [w for w in todo if lo <= w <= hi]}, schema={"week_start": pl.Date})
        out.append(weeks.join(sums, on="week_start", how="left").with_columns(
            n_predicted=pl.col("week_start").replace_strict(counts, return_dtype=pl.Int64),
            n_rows=pl.col("n_rows").fill_null(0), sum_ae=pl.col("sum_ae").fill_null(0.0),
            sum_se=pl.col("sum_se").fill_null(0.0), sd_ae=pl.lit(models["sd_ae"]), sd_se=pl.lit(models["sd_se"])))
    if not out:
        return pl.DataFrame(schema={"week_start": pl.Date, "n_predicted": pl.Int64, "n_rows": pl.Int64,
                                    "sum_ae": pl.Float64, "sum_se": pl.Float64, "sd_ae": pl.Float64,
                                    "sd_se": pl.Float64})
    return pl.concat(out, how="vertical_relaxed")


def _runs(weeks: list[date]) -> list[tuple[date, date]]:
    """Consecutive weeks grouped into (first, last) runs: one read per run."""
    runs: list[tuple[date, date]] = []
    for w in weeks:
        if runs and w - runs[-1][1] == timedelta(days=7):
            runs[-1] = (runs[-1][0], w)
        else:
            runs.append((w, w))
    return runs
