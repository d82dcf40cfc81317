"""Label-free performance estimation (CBPE) against an oracle that reproduces NannyML's published
algorithm row by row (nannyml itself does not install with this stack: it pins numba 0.53 and CUDA
wheels), on a real model trained on the UCI Adult census data; plus hand-worked checks of the pieces.

The oracle, as NannyML's CBPE computes it: an isotonic calibrator (scikit-learn,
``out_of_bounds="clip"``) fitted on the reference rows' raw scores and labels; for a chunk, expected
TP/FP/FN/TN from the calibrated probabilities at the 0.5 threshold (accuracy, F1 = TP / (TP + (FP +
FN) / 2)); ROC AUC ranking the rows by the model's raw score and accumulating calibrated
probabilities as expected positives (``estimate_roc_auc`` in nannyml's confidence-based metrics).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.isotonic import IsotonicRegression
from sklearn.metrics import auc as area

from analytics.drift import estimate

COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
           "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
           "income"]


def nannyml_cbpe(ref_score, ref_label, score) -> dict:
    cal = IsotonicRegression(out_of_bounds="clip").fit(ref_score, ref_label)
    p = cal.predict(score)
    pred = score >= 0.5
    tp, fp = p[pred].sum(), (1 - p[pred]).sum()
    fn, tn = p[~pred].sum(), (1 - p[~pred]).sum()
    order = np.argsort(score)[::-1]
    tps = np.cumsum(p[order])
    fps = 1 + np.arange(len(order)) - tps
    tps, fps = np.r_[0, tps], np.r_[0, fps]
    return {"auc": area(fps / fps[-1], tps / tps[-1]), "accuracy": (tp + tn) / len(score),
            "f1": tp / (tp + 0.5 * (fp + fn))}


@pytest.fixture(scope="module")
def adult(shared_datasets):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import OneHotEncoder

    def load(name, skip):
        df = pd.read_csv(shared_datasets / "adult_census" / name, header=None, names=COLUMNS, skiprows=skip,
                         sep=r",\s*", engine="python", na_values="?").dropna()
        df["y"] = df["income"].str.startswith(">50K").astype(int)
        return df

    train, test = load("adult.data", 0), load("adult.test", 1)
    num = ["age", "education-num", "hours-per-week", "capital-gain"]
    cat = ["sex", "relationship"]
    enc = OneHotEncoder(handle_unknown="ignore").fit(train[cat])

    def x(df):
        return np.hstack([df[num].to_numpy() / np.array([100, 16, 100, 1e5]), enc.transform(df[cat]).toarray()])

    model = LogisticRegression(max_iter=1000).fit(x(train), train["y"])
    test = test.assign(score=model.predict_proba(x(test))[:, 1])
    return test.reset_index(drop=True)


@pytest.mark.shared
def test_cbpe_from_rollups_equals_nannyml_algorithm_on_adult_census(adult, lake):
    # reference: 6,000 labelled rows over 6 weeks; analysis: the rest in weeks of 1,000, sorted by age
    # so later weeks hold older people (a covariate shift the estimate has to follow)
    ref, ana = adult.iloc[:6000], adult.iloc[6000:].sort_values("age", kind="stable").reset_index(drop=True)
    start = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday
    preds, outs = [], []
    for i, row in enumerate(ref.itertuples()):
        at = start + timedelta(weeks=i // 1000, minutes=i % 1000)
        preds.append({"request_id": f"r{i}", "model_id": "m", "version": "1", "prediction_at": at, "score": row.score})
        outs.append({"request_id": f"r{i}", "model_id": "m", "observed_at": at + timedelta(days=30), "label": float(row.y)})
    weeks = (len(ana) + 999) // 1000
    for j, row in enumerate(ana.itertuples()):
        at = start + timedelta(weeks=6 + j // 1000, minutes=j % 1000)
        preds.append({"request_id": f"a{j}", "model_id": "m", "version": "1", "prediction_at": at, "score": row.score})
    lake.put("models", [{"model_id": "m", "name": "m", "business_unit": "b", "stage": "production",
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": start - timedelta(days=10),
                                 "train_end_at": start - timedelta(days=20)}])
    lake.put("predictions", pl.DataFrame(preds))
    lake.put("outcomes", pl.DataFrame(outs))
    lake.refresh()
    est = estimate.estimate(lake.con(), model_id="m", version="1", train_end=date(2025, 12, 16))
    assert est.filter(pl.col("is_calibration"))["week_start"].to_list() == [
        date(2026, 1, 5) + timedelta(weeks=w) for w in range(6)]
    analysis = est.filter(~pl.col("is_calibration"))
    assert analysis.height == weeks
    worst = 0.0
    for w, got in enumerate(analysis.iter_rows(named=True)):
        chunk = ana.iloc[w * 1000:(w + 1) * 1000]
        want = nannyml_cbpe(ref["score"].to_numpy(), ref["y"].to_numpy(), chunk["score"].to_numpy())
        for metric in ("auc", "accuracy", "f1"):
            worst = max(worst, abs(got[f"est_{metric}"] - want[metric]))
            assert got[f"est_{metric}"] == pytest.approx(want[metric], abs=0.01), (w, metric)
            assert got[f"est_{metric}_lower"] <= got[f"est_{metric}"] <= got[f"est_{metric}_upper"]
    assert worst > 0  # the binned estimate is not the row-level one: the check compared real numbers
    # the shift is visible: the estimate moves across the age-sorted weeks
    assert analysis["est_accuracy"].max() - analysis["est_accuracy"].min() > 0.05


def test_calibration_is_isotonic_and_weighted_by_counts():
    pos = np.zeros(1001)
    neg = np.zeros(1001)
    pos[200], neg[200] = 1, 9  # 10% at score 0.2
    pos[800], neg[800] = 30, 10  # 75% at score 0.8
    p = estimate.calibrate(pos, neg)
    assert p[200] == pytest.approx(0.1) and p[800] == pytest.approx(0.75)
    assert p[0] == pytest.approx(0.1) and p[1000] == pytest.approx(0.75)  # clipped outside the labels
    # a non-monotone pair is pooled, weighted by the counts: (2 + 1) / (4 + 16) = 0.15
    pos2, neg2 = np.zeros(1001), np.zeros(1001)
    pos2[300], neg2[300] = 2, 2   # 50% at 0.3
    pos2[600], neg2[600] = 1, 15  # 6.25% at 0.6: lower, so both become the pooled rate
    q = estimate.calibrate(pos2, neg2)
    assert q[300] == pytest.approx(0.15) and q[600] == pytest.approx(0.15)
    with pytest.raises(estimate.NoDataError):
        estimate.calibrate(np.zeros(1001), neg)


def test_a_week_by_hand():
    # 100 scores at 0.2 (p = 0.1) and 100 at 0.8 (p = 0.75)
    p = np.zeros(1001)
    p[200], p[800] = 0.1, 0.75
    hist = np.zeros(1001)
    hist[200], hist[800] = 100, 100
    got = estimate.estimate_week(hist, p)
    tp, fp, fn, tn = 75, 25, 10, 90
    assert got["est_accuracy"] == pytest.approx((tp + tn) / 200)
    assert got["est_f1"] == pytest.approx(tp / (tp + 0.5 * (fp + fn)))
    # expected positives 10 (low) and 75 (high), negatives 90 and 25: P(pos > neg) = 75 * 90 / (85 * 115)
    # plus half the ties: (10 * 90 + 75 * 25) / 2 / (85 * 115)
    assert got["est_auc"] == pytest.approx((75 * 90 + 0.5 * (10 * 90 + 75 * 25)) / (85 * 115))
    assert got["n_scored"] == 200 and got["expected_positive_share"] == pytest.approx(85 / 200)
    assert 0 <= got["est_auc_lower"] < got["est_auc"] < got["est_auc_upper"] <= 1


def _classifier_lake(lake, *, late_labels: bool):
    """12 labelled weeks of a well-separated classifier, then 3 weeks whose scores crowd around 0.5
    (less confident: the estimate falls); their labels only with ``late_labels``."""
    rng = np.random.default_rng(11)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    preds, outs = [], []
    for week in range(15):
        shifted = week >= 12
        for i in range(400):
            y = int(rng.random() < 0.3)
            if shifted:
                score = float(np.clip(0.5 + rng.normal(0, 0.08) + (0.05 if y else -0.05), 0.01, 0.99))
            else:
                score = float(np.clip(rng.beta(6, 2) if y else rng.beta(2, 6), 0.01, 0.99))
            rid = f"w{week}-{i}"
            at = start + timedelta(weeks=week, minutes=i * 20)
            preds.append({"request_id": rid, "model_id": "m", "version": "1", "prediction_at": at, "score": score})
            if not shifted or late_labels:
                outs.append({"request_id": rid, "model_id": "m", "observed_at": at + timedelta(days=3),
                             "label": float(y)})
    lake.put("models", [{"model_id": "m", "name": "Model m", "business_unit": "b", "stage": "production",
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": start - timedelta(days=3),
                                 "train_start_at": start - timedelta(days=90), "train_end_at": start - timedelta(days=7)}])
    lake.put("predictions", pl.DataFrame(preds))
    lake.put("outcomes", pl.DataFrame(outs))


def test_an_estimated_alert_opens_before_labels_and_resolves_when_they_arrive(lake):
    from analytics import pipeline

    _classifier_lake(lake, late_labels=False)
    pipeline.refresh(lake.root)
    alerts = lake.con().sql("select * from alerts").pl()
    est = alerts.filter(pl.col("metric") == "estimated_auc")
    assert est.height >= 1 and "labels have not arrived yet" in est["message"][0]
    assert est["value"][0] < est["threshold"][0]
    # the labels arrive: the realised AUC judges those weeks, the estimated alert resolves
    preds = lake.con().sql("select request_id, prediction_at, score from predictions "
                           "where prediction_at >= timestamptz '2026-03-30'").pl()
    lake.put("outcomes", pl.DataFrame({
        "request_id": preds["request_id"], "model_id": "m",
        "observed_at": preds["prediction_at"].dt.offset_by("3d"),
        "label": (preds["score"] > 0.5).cast(pl.Float64)}))
    pipeline.refresh(lake.root)
    after = lake.con().sql("select * from alerts").pl().filter(pl.col("metric") == "estimated_auc")
    assert after["resolved_at"].drop_nulls().len() >= 1
