"""Partial dependence on a real model trained in the test: the curves `scaleboard refresh` stores
equal scikit-learn's partial_dependence on the same model, rows and grid; without an artifact the
surrogate's curves are stored (and say so), and follow the real model's; the reference range is the
training window's 2nd to 98th percentile; a scoped user sees no curve of another unit's model."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from analytics import pipeline
from analytics.drift import dependence, explain
from analytics.drift import stats as ds
from analytics.product.scope import Scope

FEATURES = ["income", "age", "tenure", "noise"]
N = 1_000
START = datetime(2026, 3, 2, tzinfo=UTC)
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def trained():
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    rng = np.random.default_rng(3)
    X = pd.DataFrame({"income": rng.lognormal(3, 0.5, 6000), "age": rng.uniform(18, 80, 6000),
                      "tenure": rng.exponential(5, 6000), "noise": rng.normal(0, 1, 6000)})
    logit = 0.08 * (X["income"] - 20) - 0.001 * (X["age"] - 50) ** 2 + 0.2 * X["tenure"]
    y = (rng.random(6000) < 1 / (1 + np.exp(-logit))).astype(int)
    # curved in its inputs, and made only of types MLflow's default (skops) format loads back
    model = make_pipeline(PolynomialFeatures(2), StandardScaler(), LogisticRegression(max_iter=2000)).fit(
        X.iloc[:3600], y[:3600])
    return model, X.iloc[3600:].reset_index(drop=True)


def _log(lake, model, X, *, artifact_uri: str | None, unit: str = "retail") -> None:
    scores = model.predict_proba(X)[:, 1]
    at = [START + timedelta(minutes=3 * i) for i in range(N)]
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": unit, "stage": "production",
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": START, "train_start_at": START,
                                 "train_end_at": START + timedelta(days=2, hours=23), "artifact_uri": artifact_uri}])
    lake.put("predictions", pl.DataFrame({"prediction_at": at, "model_id": "m", "version": "1",
                                          "request_id": [f"r{i}" for i in range(N)], "score": scores}))
    long = pl.DataFrame({"request_id": [f"r{i}" for i in range(N)], "feature_at": at}).join(
        pl.DataFrame({"feature": FEATURES}), how="cross")
    values = {(f"r{i}", f): float(X.at[i, f]) for i in range(N) for f in FEATURES}
    lake.put("features", long.with_columns(
        model_id=pl.lit("m"), version=pl.lit("1"),
        value_num=pl.Series([values[(r, f)] for r, f in zip(long["request_id"], long["feature"], strict=True)])))


def test_stored_curves_equal_sklearn_partial_dependence_of_the_registered_model(trained, lake, tmp_path) -> None:
    import mlflow.sklearn
    from sklearn.inspection import partial_dependence

    model, X = trained
    uri = str(tmp_path / "artifact")
    mlflow.sklearn.save_model(model, uri)
    _log(lake, model, X.head(N), artifact_uri=uri)
    pipeline.refresh(lake.root)
    con = lake.con()
    stored = dependence.current(con, model_id="m", version="1")
    assert stored["method"].unique().to_list() == ["model_artifact"]
    top = explain.current(con, model_id="m", version="1")["feature"].head(dependence.TOP_K).to_list()
    assert stored.sort("rank")["feature"].unique(maintain_order=True).to_list() == top
    wide = explain.sample(con, model_id="m", version="1")
    rows = wide.select(FEATURES).to_pandas()
    for f in top:
        want = partial_dependence(model, rows, [f], grid_resolution=20, percentiles=(0.05, 0.95), kind="average")
        got = stored.filter(pl.col("feature") == f).sort("grid_value")
        assert np.allclose(got["grid_value"].to_numpy(), want["grid_values"][0], rtol=0, atol=1e-12)
        assert np.allclose(got["average"].to_numpy(), want["average"][0], rtol=0, atol=1e-12)
        # the reference range: 2nd and 98th percentile of the training window (50 quantile bins)
        ref = X.head(N)[f].to_numpy()[: 3 * 24 * 20]  # requests of the first three days (every 3 minutes)
        edges = ds.quantile_edges(ref, 50)
        assert got["ref_low"][0] == pytest.approx(edges[0]) and got["ref_high"][0] == pytest.approx(edges[-1])
    # a scoped user of another unit sees no curve; one of this unit does
    assert dependence.current(con, model_id="m", version="1", scope=Scope(date(2026, 1, 1), date(2026, 12, 31),
                                                                           allowed_units=("finance",))).is_empty()
    assert not dependence.current(con, model_id="m", version="1",
                                  scope=Scope(date(2026, 1, 1), date(2026, 12, 31), allowed_units=("retail",))).is_empty()


def test_without_an_artifact_the_surrogates_curves_are_stored_and_follow_the_model(trained, lake) -> None:
    from sklearn.inspection import partial_dependence

    model, X = trained
    _log(lake, model, X.head(N), artifact_uri=None)
    lake.refresh()
    con = lake.con()
    assert explain.compute_new(con, lake.root) == 1
    con = lake.con()
    assert dependence.compute_new(con, lake.root) == 1
    stored = dependence.current(lake.con(), model_id="m", version="1")
    assert stored["method"].unique().to_list() == ["surrogate"] and stored["surrogate_r2"][0] > 0.9
    wide = explain.sample(con, model_id="m", version="1")
    fitted, enc, feats, _ = dependence.surrogate(wide)
    for f in stored["feature"].unique():
        got = stored.filter(pl.col("feature") == f).sort("grid_value")
        want = partial_dependence(fitted, enc, [feats.index(f)], grid_resolution=20, percentiles=(0.05, 0.95))
        assert np.allclose(got["average"].to_numpy(), want["average"][0], atol=1e-12)
        # the surrogate's curve moves as the real model's does on the same grid
        rows = wide.select(FEATURES).to_pandas()
        real = partial_dependence(model, rows, [f], custom_values={f: got["grid_value"].to_numpy()})["average"][0]
        if np.ptp(real) > 0.05:
            assert np.corrcoef(real, got["average"].to_numpy())[0, 1] > 0.9, f
    assert dependence.compute_new(lake.con(), lake.root) == 0  # once per version
