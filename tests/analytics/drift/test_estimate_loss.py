"""Direct loss estimation (DLE) for regressors against an oracle that reproduces NannyML's published
algorithm row by row, on a real regressor trained on the UCI Bike Sharing data; plus a sanity check
under covariate shift and the incremental cache.

The oracle, as NannyML's DLE computes it (nannyml does not install with this stack; LightGBM is
replaced by scikit-learn's HistGradientBoostingRegressor with the same hyper-parameters on both
sides): on the reference rows fit one regressor of |y - y_hat| and one of (y - y_hat)^2 on the
features plus y_hat; a chunk's MAE is the mean predicted absolute error, its RMSE the square root of
the mean predicted squared error; the sampling error is the standard deviation of the reference's
losses over sqrt(chunk size), the band +- 3 of it. The oracle builds its matrix from the pandas
frame directly, not through the lakehouse or ``FeatureSpec``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from analytics.drift import estimate

NUMERIC = ["atemp", "holiday", "hr", "hum", "temp", "weekday", "windspeed", "workingday"]
CATEGORICAL = ["season", "weathersit"]
TOL = 0.005  # relative: the lakehouse estimate agrees with the row-level oracle within 0.5%


@pytest.fixture(scope="module")
def bikes(shared_datasets):
    """Hourly rentals: a regressor trained on January-June 2011 predicts every later hour."""
    import pandas as pd

    df = pd.read_csv(shared_datasets / "bike_sharing" / "hour.csv", parse_dates=["dteday"])
    df["at"] = df["dteday"].dt.tz_localize("UTC") + pd.to_timedelta(df["hr"], unit="h")
    x = df[NUMERIC + CATEGORICAL].to_numpy(float)
    train = df["at"] < pd.Timestamp("2011-07-01", tz="UTC")
    with threadpool_limits(limits=1):
        model = HistGradientBoostingRegressor(max_iter=60, random_state=1).fit(x[train], df.loc[train, "cnt"])
    df["pred"] = np.round(model.predict(x), 3)
    for c in CATEGORICAL:
        df[c] = c[0] + df[c].astype(str)  # logged as categories ("s1", "w2")
    # nine months of production after it (about 6,500 hours)
    return df[~train & (df["at"] < pd.Timestamp("2012-04-01", tz="UTC"))].reset_index(drop=True)


def _log(lake, df, *, model_id="bikes", train_end=datetime(2011, 6, 30, tzinfo=UTC), refresh=True):
    ids = [f"{model_id}-{i}" for i in range(len(df))]
    at = [t.to_pydatetime() for t in df["at"]]
    lake.put("models", [{"model_id": model_id, "name": "Bike demand", "business_unit": "b",
                         "stage": "production", "task": "regression"}])
    lake.put("model_versions", [{"model_id": model_id, "version": "1", "registered_at": train_end + timedelta(days=1),
                                 "train_start_at": datetime(2011, 1, 1, tzinfo=UTC), "train_end_at": train_end}])
    lake.put("predictions", pl.DataFrame({"request_id": ids, "model_id": model_id, "version": "1",
                                          "prediction_at": at, "score": df["pred"].to_numpy(),
                                          "prediction": df["pred"].to_numpy()}))
    lake.put("outcomes", pl.DataFrame({"request_id": ids, "model_id": model_id,
                                       "observed_at": [t + timedelta(days=2) for t in at],
                                       "label": df["cnt"].to_numpy().astype(float)}))
    long = []
    for f in NUMERIC + CATEGORICAL:
        num = f in NUMERIC
        long.append(pl.DataFrame({
            "feature_at": at, "model_id": model_id, "version": "1", "request_id": ids, "feature": f,
            "value_num": df[f].to_numpy().astype(float) if num else None,
            "value_cat": None if num else df[f].to_list()},
            schema={"feature_at": pl.Datetime("us", "UTC"), "model_id": pl.String, "version": pl.String,
                    "request_id": pl.String, "feature": pl.String, "value_num": pl.Float64,
                    "value_cat": pl.String}))
    lake.put("features", pl.concat(long))
    if refresh:
        lake.refresh()


def _week(ts) -> date:
    d = ts.date()
    return d - timedelta(days=d.weekday())


def nannyml_dle(ref, chunks: dict) -> dict:
    """Row-level DLE: per chunk (MAE, RMSE, MAE band half-width)."""
    levels = {c: sorted(ref[c].unique()) for c in CATEGORICAL}

    def x(df):
        cats = [df[c].map({v: i for i, v in enumerate(levels[c])}).astype(float).to_numpy() for c in CATEGORICAL]
        return np.column_stack([df["pred"].to_numpy(float), df[NUMERIC].to_numpy(float), *cats])

    mask = np.array([False] * (1 + len(NUMERIC)) + [True] * len(CATEGORICAL))
    err = ref["cnt"].to_numpy(float) - ref["pred"].to_numpy(float)
    params = {"max_iter": 100, "learning_rate": 0.1, "max_leaf_nodes": 15, "min_samples_leaf": 20,
              "early_stopping": False, "random_state": 0}
    with threadpool_limits(limits=1):  # speed on a busy machine only: the fit is the same with more threads
        ae = HistGradientBoostingRegressor(categorical_features=mask, **params).fit(x(ref), np.abs(err))
        se = HistGradientBoostingRegressor(categorical_features=mask, **params).fit(x(ref), err ** 2)
    sd = np.std(np.abs(err), ddof=1)
    out = {}
    for key, chunk in chunks.items():
        xc = x(chunk)
        out[key] = (np.clip(ae.predict(xc), 0, None).mean(), np.sqrt(np.clip(se.predict(xc), 0, None).mean()),
                    3 * sd / np.sqrt(len(chunk)))
    return out


@pytest.mark.shared
def test_dle_from_the_lakehouse_equals_nannyml_algorithm_on_bike_sharing(bikes, lake):
    _log(lake, bikes)
    est = estimate.estimate_loss(lake.con(), lake.root, model_id="bikes", version="1", train_end=date(2011, 6, 30))
    weeks = bikes["at"].map(_week)
    ref_weeks = sorted(weeks.unique())
    ref_weeks = [w for w in ref_weeks if w > date(2011, 6, 30)][:estimate.CALIBRATION_WEEKS]
    assert est.filter(pl.col("is_calibration"))["week_start"].to_list() == ref_weeks
    want = nannyml_dle(bikes[weeks.isin(ref_weeks)], {w: g for w, g in bikes.groupby(weeks)})
    assert est.height == len(want) > 35
    worst = 0.0
    for r in est.iter_rows(named=True):
        mae, rmse, half = want[r["week_start"]]
        worst = max(worst, abs(r["est_mae"] / mae - 1))
        assert r["est_mae"] == pytest.approx(mae, rel=TOL), r["week_start"]
        assert r["est_rmse"] == pytest.approx(rmse, rel=TOL), r["week_start"]
        assert r["est_mae_upper"] - r["est_mae"] == pytest.approx(half, rel=TOL)
        assert r["est_mae_lower"] <= r["est_mae"] <= r["est_mae_upper"]
        assert r["est_rmse_lower"] <= r["est_rmse"] <= r["est_rmse_upper"]
    # on its own reference weeks the estimate is close to the realised error (in-sample fit)
    real = (bikes["cnt"] - bikes["pred"]).abs().groupby(weeks).mean()
    ref_est = est.filter(pl.col("is_calibration"))["est_mae"].mean()
    assert ref_est == pytest.approx(real[ref_weeks].mean(), rel=0.1)


@pytest.mark.shared
def test_dle_rises_under_a_covariate_shift_that_raises_the_true_error(bikes, lake):
    # two copies of the model: "all" sees every hour; "rush", after 16 weeks, only the rush hours
    # (7-9 h and 16-19 h, where rentals and errors are large): the same weeks, the same P(y | x),
    # another input distribution
    rush = bikes["hr"].isin([7, 8, 9, 16, 17, 18, 19])
    cut = bikes["at"] >= bikes["at"].min() + np.timedelta64(16 * 7, "D")
    shifted = bikes[~cut | rush].reset_index(drop=True)
    _log(lake, bikes, model_id="all", refresh=False)
    _log(lake, shifted, model_id="rush")
    kw = {"version": "1", "train_end": date(2011, 6, 30)}
    est = {m: estimate.estimate_loss(lake.con(), lake.root, model_id=m, **kw) for m in ("all", "rush")}
    boundary = _week(bikes.loc[cut, "at"].min()) + timedelta(days=7)
    after = {m: e.filter(pl.col("week_start") >= boundary).sort("week_start") for m, e in est.items()}
    assert after["all"]["week_start"].to_list() == after["rush"]["week_start"].to_list()
    real = {m: (df["cnt"] - df["pred"]).abs().groupby(df["at"].map(_week)).mean()
            for m, df in (("all", bikes), ("rush", shifted))}
    weeks = after["all"]["week_start"].to_list()
    assert real["rush"][weeks].mean() > 1.3 * real["all"][weeks].mean()  # the shift raises the true error
    assert after["rush"]["est_mae"].mean() > 1.3 * after["all"]["est_mae"].mean()  # and the estimate sees it
    # week by week, the shifted estimate lies above the unshifted week's band
    above = (after["rush"]["est_mae"] > after["all"]["est_mae_upper"]).mean()
    assert above > 0.9


@pytest.mark.shared
def test_dle_is_incremental_and_equals_a_fresh_computation(bikes, lake, monkeypatch):
    split = bikes["at"] < datetime(2012, 2, 1, tzinfo=UTC)
    first, second = bikes[split], bikes[~split]
    _log(lake, first)
    estimate.estimate_loss(lake.con(), lake.root, model_id="bikes", version="1", train_end=date(2011, 6, 30))
    # new weeks arrive: only they are read (plus the reference, to refit)
    ids = [f"bikes-{i}" for i in range(len(first), len(bikes))]
    _log_more(lake, second.reset_index(drop=True), ids)
    seen = []
    real_run = estimate.sql.run

    def spy(con, name, **kw):
        if name == "estimate_loss_rows":
            seen.append(kw["start_at"])
        return real_run(con, name, **kw)

    monkeypatch.setattr(estimate.sql, "run", spy)
    inc = estimate.estimate_loss(lake.con(), lake.root, model_id="bikes", version="1", train_end=date(2011, 6, 30))
    assert seen and min(seen) >= datetime(2012, 1, 30, tzinfo=UTC)  # the week of 1 February 2012 onwards
    seen.clear()
    again = estimate.estimate_loss(lake.con(), lake.root, model_id="bikes", version="1", train_end=date(2011, 6, 30))
    assert seen == []  # nothing new: nothing read
    _same(again, inc)
    monkeypatch.undo()
    for f in estimate._cache_path(lake.root, "bikes", "1").parent.iterdir():
        f.unlink()
    fresh = estimate.estimate_loss(lake.con(), lake.root, model_id="bikes", version="1", train_end=date(2011, 6, 30))
    _same(fresh, inc)


def _same(a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.columns == b.columns and a["week_start"].to_list() == b["week_start"].to_list()
    for c in a.columns[1:]:
        assert np.allclose(a[c].to_numpy().astype(float), b[c].to_numpy().astype(float), rtol=1e-9), c


def _log_more(lake, df, ids):
    at = [t.to_pydatetime() for t in df["at"]]
    lake.put("predictions", pl.DataFrame({"request_id": ids, "model_id": "bikes", "version": "1",
                                          "prediction_at": at, "score": df["pred"].to_numpy(),
                                          "prediction": df["pred"].to_numpy()}))
    long = [pl.DataFrame({"feature_at": at, "model_id": "bikes", "version": "1", "request_id": ids, "feature": f,
                          "value_num": df[f].to_numpy().astype(float) if f in NUMERIC else None,
                          "value_cat": None if f in NUMERIC else df[f].to_list()},
                         schema={"feature_at": pl.Datetime("us", "UTC"), "model_id": pl.String, "version": pl.String,
                                 "request_id": pl.String, "feature": pl.String, "value_num": pl.Float64,
                                 "value_cat": pl.String})
            for f in NUMERIC + CATEGORICAL]
    lake.put("features", pl.concat(long))
    lake.refresh()


def test_a_loss_week_by_hand():
    # 4 rows with predicted absolute errors summing to 20 and squared errors to 160
    got = estimate.loss_week(4, 20.0, 160.0, sd_ae=2.0, sd_se=8.0)
    assert got["est_mae"] == pytest.approx(5.0)
    assert got["est_rmse"] == pytest.approx(np.sqrt(40.0))
    assert got["est_mae_upper"] == pytest.approx(5.0 + 3 * 2.0 / 2)
    assert got["est_mae_lower"] == pytest.approx(5.0 - 3 * 2.0 / 2)
    # RMSE band by the delta method: se(MSE) = 8 / 2 = 4, se(RMSE) = 4 / (2 sqrt 40)
    assert got["est_rmse_upper"] == pytest.approx(np.sqrt(40) + 3 * 4 / (2 * np.sqrt(40)))


def _regressor_lake(lake, *, late_labels: bool):
    """12 labelled weeks of a regressor whose error grows with its input x (noise sd 0.1 + 2x, x
    uniform on [0, 1]), then 3 weeks whose inputs crowd at the noisy end (x on [0.8, 1]): the true
    error rises with no change in P(y | x); their labels only with ``late_labels``."""
    rng = np.random.default_rng(5)
    start = datetime(2026, 1, 5, tzinfo=UTC)
    preds, outs, feats = [], [], []
    for week in range(15):
        shifted = week >= 12
        x = rng.uniform(0.8, 1.0, 400) if shifted else rng.uniform(0.0, 1.0, 400)
        y = 2 * x + rng.normal(0, 1, 400) * (0.1 + 2 * x)
        for i in range(400):
            rid = f"w{week}-{i}"
            at = start + timedelta(weeks=week, minutes=i * 20)
            preds.append({"request_id": rid, "model_id": "r", "version": "1", "prediction_at": at,
                          "score": float(2 * x[i]), "prediction": float(2 * x[i])})
            feats.append({"feature_at": at, "model_id": "r", "version": "1", "request_id": rid, "feature": "x",
                          "value_num": float(x[i])})
            if not shifted or late_labels:
                outs.append({"request_id": rid, "model_id": "r", "observed_at": at + timedelta(days=3),
                             "label": float(y[i])})
    lake.put("models", [{"model_id": "r", "name": "Model r", "business_unit": "b", "stage": "production",
                         "task": "regression"}])
    lake.put("model_versions", [{"model_id": "r", "version": "1", "registered_at": start - timedelta(days=3),
                                 "train_start_at": start - timedelta(days=90), "train_end_at": start - timedelta(days=7)}])
    lake.put("predictions", pl.DataFrame(preds))
    lake.put("outcomes", pl.DataFrame(outs))
    lake.put("features", pl.DataFrame(feats))
    return rng


def test_an_estimated_mae_alert_opens_before_labels_and_resolves_when_they_arrive(lake):
    from analytics import pipeline

    rng = _regressor_lake(lake, late_labels=False)
    pipeline.refresh(lake.root)
    alerts = lake.con().sql("select * from alerts").pl()
    est = alerts.filter(pl.col("metric") == "estimated_mae")
    assert est.height == 1 and "labels have not arrived yet" in est["message"][0]
    assert est["value"][0] > est["threshold"][0]
    assert est["value_at_risk_usd"][0] is not None
    # the labels arrive and the shifted weeks' errors are ordinary after all (the model was fixed
    # upstream): the realised MAE judges those weeks and the estimated alert resolves
    preds = lake.con().sql("select request_id, prediction_at, score from predictions "
                           "where prediction_at >= timestamptz '2026-03-30'").pl()
    lake.put("outcomes", pl.DataFrame({
        "request_id": preds["request_id"], "model_id": "r",
        "observed_at": preds["prediction_at"].dt.offset_by("3d"),
        "label": preds["score"] + rng.normal(0, 0.5, preds.height)}))
    pipeline.refresh(lake.root)
    after = lake.con().sql("select * from alerts").pl().filter(pl.col("metric") == "estimated_mae")
    assert after["resolved_at"].drop_nulls().len() >= 1
