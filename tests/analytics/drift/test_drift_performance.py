"""Performance over time from delayed labels, checked against scikit-learn."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error, roc_auc_score

from analytics.drift import alerts as drift_alerts
from analytics.drift import monitor as drift_monitor
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


# ---------------------------------------------------------------- bands from out-of-sample weeks

def _weeks(lake, weekly: list[tuple[np.ndarray, np.ndarray]], *, labelled_share: list[float] | None = None,
           versions: list[dict] | None = None) -> None:
    """One classifier ``m``; week k (from Monday 5 Jan 2026) scores ``weekly[k][0]`` with labels
    ``weekly[k][1]``; only the first ``labelled_share[k]`` of a week's requests have an outcome yet."""
    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    lake.put("models", [{"model_id": "m", "name": "Card fraud", "business_unit": "bu", "stage": "production",
                         "task": "classification"}])
    if versions:
        lake.put("model_versions", versions)
    preds, outs, i = [], [], 0
    for k, (scores, labels) in enumerate(weekly):
        share = labelled_share[k] if labelled_share else 1.0
        for j, (s, y) in enumerate(zip(scores, labels, strict=True)):
            at = start + timedelta(weeks=k, minutes=j)
            preds.append({"prediction_at": at, "model_id": "m", "version": "v1", "request_id": f"r{i}",
                          "score": float(s)})
            if j < share * scores.size:
                outs.append({"request_id": f"r{i}", "model_id": "m", "observed_at": at + timedelta(days=3),
                             "label": float(y)})
            i += 1
    lake.put("predictions", pl.DataFrame(preds))
    lake.put("outcomes", pl.DataFrame(outs))
    lake.refresh()


def _draw(rng, n: int, separation: float) -> tuple[np.ndarray, np.ndarray]:
    labels = (rng.random(n) < 0.3).astype(float)
    return np.round(np.clip(separation * labels + rng.normal(0.3, 0.15, n), 0, 0.999), 3), labels


def test_in_sample_training_weeks_do_not_make_the_band(lake) -> None:
    # training requests logged with outcomes: weeks 0-5 are in-sample (AUC ~0.98), weeks 6-24 are the
    # same model out of sample (AUC ~0.82, unshifted). Before: the band came from weeks 0-5 and every
    # later week was a "critical" breach.
    rng = np.random.default_rng(21)
    weekly = [_draw(rng, 300, 0.55 if k < 6 else 0.2) for k in range(25)]
    version = {"model_id": "m", "version": "v1", "registered_at": datetime(2026, 2, 16, tzinfo=UTC),
               "train_start_at": datetime(2026, 1, 5, tzinfo=UTC), "train_end_at": datetime(2026, 2, 15, tzinfo=UTC)}
    _weeks(lake, weekly, versions=[version])
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=date(2026, 1, 5),
                                         ref_end=date(2026, 2, 15))
    auc = perf.filter(pl.col("metric") == "auc").sort("week_start")
    assert auc["value"][:6].min() > 0.95 and auc["value"][6:].max() < 0.9
    band_weeks = [date(2026, 2, 16) + timedelta(weeks=k) for k in range(8)]
    assert auc.filter("is_reference")["week_start"].to_list() == band_weeks
    ref = np.array([roc_auc_score(weekly[k][1], weekly[k][0]) for k in range(6, 14)])
    assert auc["ref_mean"][0] == pytest.approx(ref.mean(), rel=1e-9)
    assert auc["band_source"][0] == "8 weeks after the training window, 16 Feb 2026 – 12 Apr 2026"
    assert not perf["breach"].any()
    assert [b for b in drift_alerts.breaches(lake.root) if b.kind == "performance"] == []


def test_declared_validation_window_makes_the_band(lake) -> None:
    rng = np.random.default_rng(22)
    version = {"model_id": "m", "version": "v1", "registered_at": datetime(2026, 2, 16, tzinfo=UTC),
               "train_start_at": datetime(2026, 1, 5, tzinfo=UTC), "train_end_at": datetime(2026, 1, 25, tzinfo=UTC),
               "validation_start_at": datetime(2026, 1, 26, tzinfo=UTC),
               "validation_end_at": datetime(2026, 2, 22, tzinfo=UTC)}
    _weeks(lake, [_draw(rng, 200, 0.2) for _ in range(12)], versions=[version])
    v = drift_monitor.model_versions(lake.con()).row(0, named=True)
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=v["ref_start"],
                                         ref_end=v["ref_end"], val_start=v["val_start"], val_end=v["val_end"])
    auc = perf.filter(pl.col("metric") == "auc")
    assert auc.filter("is_reference")["week_start"].to_list() == [date(2026, 1, 26) + timedelta(weeks=k)
                                                                  for k in range(4)]
    assert auc["band_source"][0] == "the validation window 26 Jan 2026 – 22 Feb 2026"


def test_bands_are_clipped_to_the_metric_range(lake) -> None:
    # F1 alternates between ~1 (positives score 0.9) and 0 (they score 0.45): mean 0.5, sd 0.5 ->
    # mean - 3 sd is about -1, an F1 nobody can reach. Before: band_low -1.0
    rng = np.random.default_rng(23)
    weekly = []
    for k in range(10):
        labels = (rng.random(200) < 0.3).astype(float)
        weekly.append((np.where(labels == 1, 0.9 if k % 2 == 0 else 0.45, 0.1), labels))
    _weeks(lake, weekly)
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=None, ref_end=None)
    f1 = perf.filter(pl.col("metric") == "f1")
    raw = f1.filter("is_reference")["value"].to_numpy()
    assert raw.mean() - 3 * raw.std(ddof=1) < 0 < 1 < raw.mean() + 3 * raw.std(ddof=1)
    assert (f1["band_low"][0], f1["band_high"][0]) == (0.0, 1.0)


def test_week_whose_labels_have_not_matured_is_provisional_and_never_judged(lake) -> None:
    # 12 matured weeks, then a week where 20% of the labels are in (all negatives so far, some scored
    # >= 0.5): F1 0.000. Before: a critical alert "F1 ... at 0.000 in the week of ...".
    rng = np.random.default_rng(24)
    weekly = [_draw(rng, 300, 0.3) for _ in range(12)]
    scores = np.round(rng.random(300) * 0.999, 3)
    labels = np.zeros(300)
    weekly.append((scores, labels))
    _weeks(lake, weekly, labelled_share=[1.0] * 12 + [0.2])
    perf = drift_performance.performance(lake.con(), model_id="m", version=None, ref_start=None, ref_end=None)
    last = perf.filter(pl.col("week_start") == date(2026, 3, 30))
    assert last["n_labelled"].to_list() == [60] * 3 and last["n_predicted"].to_list() == [300] * 3
    assert last["is_provisional"].all()
    assert last.filter(pl.col("metric") == "f1")["value"].item() == 0.0
    assert not last["breach"].any()
    assert drift_alerts.breaches(lake.root) == []
    version = {"model_id": "m", "version": "v1", "registered_at": datetime(2026, 1, 5, tzinfo=UTC)}
    lake.put("model_versions", [version])
    assert drift_alerts.breaches(lake.root) == []  # judged through the alert path too
