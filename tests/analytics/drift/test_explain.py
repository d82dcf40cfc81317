"""Explanations on a real model trained in the test (UCI Adult census): features and scores logged
to a lakehouse in long format come back as the model saw them; mean |SHAP| through the lakehouse
equals shap run directly on the original data; the surrogate's permutation importance, which needs
no model, ranks the features as scikit-learn's permutation_importance on the real model does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from analytics.drift import explain

NUM = ["age", "education-num", "hours-per-week", "capital-gain", "capital-loss"]
COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
           "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country",
           "income"]
N = 3_000
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def trained(shared_datasets):
    import pandas as pd
    from sklearn.ensemble import GradientBoostingClassifier

    df = pd.read_csv(shared_datasets / "adult_census" / "adult.data", header=None, names=COLUMNS,
                     sep=r",\s*", engine="python", na_values="?").dropna()
    y = df["income"].str.startswith(">50K").astype(int).to_numpy()
    X = df[NUM].astype(float)
    model = GradientBoostingClassifier(n_estimators=60, max_depth=3, random_state=0).fit(X.iloc[:20000], y[:20000])
    held = X.iloc[20000:20000 + N].reset_index(drop=True)
    return model, held, y[20000:20000 + N]


@pytest.fixture
def logged(trained, lake):
    model, held, y = trained
    scores = model.predict_proba(held)[:, 1]
    start = datetime(2026, 3, 2, tzinfo=UTC)
    preds, feats, outs = [], [], []
    for i in range(N):
        at = start + timedelta(minutes=i)
        rid = f"r{i}"
        preds.append({"request_id": rid, "model_id": "m", "version": "1", "prediction_at": at, "score": float(scores[i])})
        outs.append({"request_id": rid, "model_id": "m", "observed_at": at, "label": float(y[i])})
        for f in NUM:
            feats.append({"feature_at": at, "model_id": "m", "version": "1", "request_id": rid, "feature": f,
                          "value_num": float(held.at[i, f])})
    lake.put("models", [{"model_id": "m", "name": "m", "business_unit": "b", "stage": "production",
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": start}])
    lake.put("predictions", pl.DataFrame(preds))
    lake.put("features", pl.DataFrame(feats))
    lake.put("outcomes", pl.DataFrame(outs))
    return lake


@pytest.mark.shared
def test_the_sample_is_the_logged_data(trained, logged):
    model, held, _ = trained
    wide = explain.sample(logged.con(), model_id="m", version="1")
    assert wide.height == N and set(explain.features_of(wide)) == set(NUM)
    back = wide.with_columns(i=pl.col("request_id").str.slice(1).cast(pl.Int64)).sort("i")
    assert np.allclose(back.select(NUM).to_numpy(), held[NUM].to_numpy())
    assert np.allclose(back["score"].to_numpy(), model.predict_proba(held)[:, 1])


@pytest.mark.shared
def test_mean_abs_shap_through_the_lakehouse_equals_shap_directly(trained, logged):
    import shap

    model, held, _ = trained
    wide = explain.sample(logged.con(), model_id="m", version="1")
    got = explain.mean_abs_shap(model, wide, max_rows=300)
    # shap directly on the same 300 requests in the model's column order
    rows = wide.head(300).select(NUM).to_pandas()
    direct = np.abs(shap.Explainer(lambda a: model.predict_proba(a)[:, 1], rows, seed=0)(rows).values).mean(axis=0)
    want = dict(zip(NUM, direct / direct.sum(), strict=True))
    for r in got.frame.iter_rows(named=True):
        assert r["importance"] == pytest.approx(want[r["feature"]], abs=1e-9)
    assert got.frame["method"].unique().to_list() == ["mean_abs_shap"]


@pytest.mark.shared
def test_surrogate_ranks_features_as_permutation_importance_on_the_real_model(trained, logged):
    from scipy.stats import spearmanr
    from sklearn.inspection import permutation_importance

    model, held, _ = trained
    wide = explain.sample(logged.con(), model_id="m", version="1")
    got = explain.permutation_surrogate(wide)
    assert got.surrogate_r2 > 0.9  # the surrogate reproduces the logged scores
    # the oracle: permutation importance of the real model on its own output (R2 of its scores)
    scores = model.predict_proba(held)[:, 1]

    class Scores:  # the real model as a regressor of its own score, so both explain the same target
        def fit(self, *a):
            return self

        def predict(self, X):
            return model.predict_proba(X)[:, 1]

        def score(self, X, y):
            from sklearn.metrics import r2_score

            return r2_score(y, self.predict(X))

    pi = permutation_importance(Scores(), held[NUM], scores, n_repeats=5, random_state=0, scoring=None)
    want = dict(zip(NUM, pi.importances_mean, strict=True))
    ours = dict(zip(got.frame["feature"], got.frame["importance"], strict=True))
    rho = spearmanr([ours[f] for f in NUM], [want[f] for f in NUM]).statistic
    assert rho >= 0.8 - 1e-9, (ours, want)  # Spearman is a ratio of integers here: 0.8 may come out 0.7999…
    assert max(ours, key=ours.get) == max(want, key=want.get)
    assert sum(ours.values()) == pytest.approx(1.0)


def test_compute_new_explains_each_new_version_once(lake):
    rng = np.random.default_rng(0)
    start = datetime(2026, 3, 2, tzinfo=UTC)
    x1, x2 = rng.normal(size=600), rng.normal(size=600)
    score = 1 / (1 + np.exp(-(2 * x1)))  # only x1 matters
    preds, feats = [], []
    for i in range(600):
        at = start + timedelta(minutes=i)
        preds.append({"request_id": f"r{i}", "model_id": "m", "version": "1", "prediction_at": at, "score": float(score[i])})
        for f, v in (("x1", x1[i]), ("x2", x2[i])):
            feats.append({"feature_at": at, "model_id": "m", "version": "1", "request_id": f"r{i}", "feature": f,
                          "value_num": float(v)})
    lake.put("models", [{"model_id": "m", "name": "m", "business_unit": "b", "stage": "production",
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": start}])
    lake.put("predictions", pl.DataFrame(preds))
    lake.put("features", pl.DataFrame(feats))
    assert explain.compute_new(lake.con(), lake.root) == 1
    assert explain.compute_new(lake.con(), lake.root) == 0  # already explained
    cur = explain.current(lake.con(), model_id="m", version="1")
    assert cur["feature"].to_list() == ["x1", "x2"] and cur["importance"][0] > 0.95
    assert cur["method"][0] == "permutation_surrogate" and cur["surrogate_r2"][0] > 0.9


def test_only_a_trusted_ranking_is_attached_to_the_drift_table():
    table = pl.DataFrame({"column": ["a", "b", "c"], "statistic": [0.4, 0.2, None]})
    good = pl.DataFrame({"feature": ["a", "b"], "importance": [0.9, 0.1], "method": "permutation_surrogate",
                         "surrogate_r2": 0.95})
    out = explain.attach(table, good)
    assert out["importance"].to_list() == [0.9, 0.1, None]
    assert out["impact"].to_list() == [pytest.approx(0.36), pytest.approx(0.02), None]
    # a surrogate that does not reproduce the scores says nothing: no importance, no verdict change
    bad = good.with_columns(surrogate_r2=pl.lit(-0.1))
    assert explain.trusted(bad) == {} and explain.attach(table, bad)["importance"].null_count() == 3
    shap_rows = good.with_columns(method=pl.lit("mean_abs_shap"), surrogate_r2=pl.lit(None, pl.Float64))
    assert explain.trusted(shap_rows) == {"a": 0.9, "b": 0.1}
    assert explain.trusted(good.clear()) == {}
