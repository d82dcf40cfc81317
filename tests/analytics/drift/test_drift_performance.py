"""Performance over time from delayed labels, checked against scikit-learn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error, roc_auc_score

from analytics.drift import performance as drift_performance


def _put(lake, task: str, scores: np.ndarray, labels: np.ndarray, weeks: np.ndarray) -> None:
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": "bu", "stage": "production", "task": task}])
    n = scores.size
    at = [start + timedelta(weeks=int(w), hours=i % 100) for i, w in enumerate(weeks)]
    lake.put("predictions", pl.DataFrame({"prediction_at": at, "model_id": ["m"] * n, "version": ["v1"] * n,
                                          "request_id": [f"r{i}" for i in range(n)], "score": scores}))
    lake.put("outcomes", pl.DataFrame({"request_id": [f"r{i}" for i in range(n)], "model_id": ["m"] * n,
                                       "observed_at": [a + timedelta(days=9) for a in at], "label": labels}))
    lake.refresh()


def test_classifier_metrics_match_sklearn(lake) -> None:
    rng = np.random.default_rng(2)
    n = 6000
    weeks = rng.integers(0, 6, n)
    labels = (rng.random(n) < 0.3).astype(float)
    # scores on the 1/1000 grid: binned AUC is then exact
    scores = np.round(np.clip(0.3 * labels + rng.normal(0.35, 0.2, n) - 0.05 * (weeks == 5), 0, 0.999), 3)
    _put(lake, "classification", scores, labels, weeks)
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=None, ref_end=None)
    for w in range(6):
        m = weeks == w
        got = {r["metric"]: r["value"] for r in perf.filter(pl.col("week_start") == date(2026, 1, 5) + timedelta(
            weeks=w)).iter_rows(named=True)}
        assert got["auc"] == pytest.approx(roc_auc_score(labels[m], scores[m]), rel=1e-12)
        pred = scores[m] >= 0.5
        assert got["accuracy"] == pytest.approx(accuracy_score(labels[m], pred), rel=1e-12)
        assert got["f1"] == pytest.approx(f1_score(labels[m], pred), rel=1e-12)
    band = perf.filter(pl.col("metric") == "auc").row(0, named=True)
    ref = perf.filter((pl.col("metric") == "auc") & pl.col("is_reference"))["value"].to_numpy()
    assert band["band_low"] == pytest.approx(ref.mean() - 3 * ref.std(ddof=1))


def test_auc_bound_covers_ties_within_bins() -> None:
    rng = np.random.default_rng(0)
    y = (rng.random(4000) < 0.4).astype(int)
    s = np.clip(0.2 * y + rng.random(4000) * 0.8, 0, 0.9999)
    b = np.floor(s * 1000).astype(int)
    pos = np.bincount(b[y == 1], minlength=1001).astype(float)
    neg = np.bincount(b[y == 0], minlength=1001).astype(float)
    auc, bound = drift_performance.auc_from_bins(pos, neg)
    assert abs(auc - roc_auc_score(y, s)) <= bound + 1e-12


def test_regressor_metrics_match_sklearn(lake) -> None:
    rng = np.random.default_rng(3)
    n = 3000
    weeks = rng.integers(0, 4, n)
    labels = rng.normal(50, 10, n)
    scores = labels + rng.normal(0, 2 + weeks, n)
    _put(lake, "regression", scores, labels, weeks)
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=None, ref_end=None)
    for w in range(4):
        m = weeks == w
        got = {r["metric"]: r["value"] for r in perf.filter(pl.col("week_start") == date(2026, 1, 5) + timedelta(
            weeks=w)).iter_rows(named=True)}
        assert got["rmse"] == pytest.approx(np.sqrt(mean_squared_error(labels[m], scores[m])), rel=1e-9)
        assert got["mae"] == pytest.approx(mean_absolute_error(labels[m], scores[m]), rel=1e-9)


def test_reference_week_without_both_classes_does_not_poison_the_band(lake) -> None:
    # week 0 has only negatives (no AUC: NaN); weeks 1-9 are the same model. The band is the first
    # 8 matured weeks after the training window (which ended before week 0): weeks 0-7, of which
    # 1-7 have an AUC. Before: the NaN made the band NaN and polars ranks NaN above every number
    rng = np.random.default_rng(4)
    n = 5000
    weeks = np.concatenate([np.zeros(60, int), rng.integers(1, 10, n)])
    labels = np.concatenate([np.zeros(60), (rng.random(n) < 0.3).astype(float)])
    scores = np.round(np.clip(0.3 * labels + rng.normal(0.35, 0.2, labels.size), 0, 0.999), 3)
    _put(lake, "classification", scores, labels, weeks)
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=date(2025, 12, 1),
                                         ref_end=date(2026, 1, 4))
    auc = perf.filter(pl.col("metric") == "auc").sort("week_start")
    assert np.isnan(auc["value"][0])
    ref = np.array([roc_auc_score(labels[weeks == w], scores[weeks == w]) for w in range(1, 8)])
    assert auc["is_reference"].to_list() == [True] * 8 + [False] * 2
    assert auc["ref_mean"][0] == pytest.approx(ref.mean(), rel=1e-12)
    assert auc["band_low"][0] == pytest.approx(ref.mean() - 3 * ref.std(ddof=1), rel=1e-12)
    assert not perf["breach"].any()


@pytest.mark.parametrize("order", ["outcomes first", "predictions first", "interleaved"])
def test_labels_meet_their_predictions_whatever_lands_first(lake, order) -> None:
    """A prediction logged after its outcome (a backfill) still counts, once: the rollup equals a
    full rebuild and a direct join of the raw tables (checked against sklearn), in every landing order."""
    rng = np.random.default_rng(5)
    n = 800
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    at = [start + timedelta(hours=int(h)) for h in rng.integers(0, 24 * 21, n)]
    scores = np.round(rng.random(n) * 0.999, 3)
    labels = (rng.random(n) < scores).astype(float)
    preds = pl.DataFrame({"prediction_at": at, "model_id": ["m"] * n, "version": ["v1"] * n,
                          "request_id": [f"r{i}" for i in range(n)], "score": scores})
    outs = pl.DataFrame({"request_id": [f"r{i}" for i in range(n)], "model_id": ["m"] * n,
                         "observed_at": [a + timedelta(days=2) for a in at], "label": labels})
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": "bu", "stage": "production",
                         "task": "classification"}])
    half = n // 2
    steps = {"outcomes first": [("outcomes", outs), ("predictions", preds)],
             "predictions first": [("predictions", preds), ("outcomes", outs)],
             "interleaved": [("outcomes", outs[:half]), ("predictions", preds[half:]),
                             ("predictions", preds[:half]), ("outcomes", outs[half:])]}[order]
    for name, rows in steps:
        lake.put(name, rows)
        lake.refresh()

    def weekly(con) -> pl.DataFrame:
        return con.sql("select week_start, label, sum(n) as n from drift_performance group by all order by all").pl()

    incremental = weekly(lake.con())
    assert int(incremental["n"].sum()) == n  # every labelled prediction, none twice
    lake.refresh(full=True)
    assert incremental.equals(weekly(lake.con()))
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=None, ref_end=None)
    week0 = np.array([a.date() < date(2026, 1, 12) for a in at])
    got = perf.filter((pl.col("week_start") == date(2026, 1, 5)) & (pl.col("metric") == "auc"))["value"].item()
    assert got == pytest.approx(roc_auc_score(labels[week0], scores[week0]), abs=1e-9)
