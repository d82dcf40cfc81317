"""The drift engine against its oracles: Evidently 0.7 (same method, same binning), scipy, and
hand-worked examples; plus bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl
import pytest
from scipy import stats
from scipy.spatial import distance

from analytics.drift import compare as drift
from analytics.drift import report as drift_evidently
from analytics.drift import stats as drift_stats
from analytics.errors import InputError

RTOL = 1e-6
EVIDENTLY_NAMES = {"ks": "K-S p_value", "chisquare": "chi-square p_value", "z": "Z-test p_value",
                   "wasserstein": "Wasserstein distance (normed)", "jensenshannon": "Jensen-Shannon distance",
                   "psi": "PSI", "hellinger": "Hellinger distance"}


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=1e-12)


def synthetic(n_ref: int, n_cur: int, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame]:
    rng = np.random.default_rng(seed)

    def frame(n: int, shift: float, cats: list[str], p: list[float]) -> pl.DataFrame:
        return pl.DataFrame({
            "stable": rng.normal(10, 2, n),
            "shifted": rng.normal(10 + shift, 2, n),
            "skewed": rng.lognormal(0, 1 + shift / 4, n),
            "counts": rng.poisson(3 + shift, n).astype(float),
            "few": rng.integers(0, 4, n).astype(float),
            "flag": rng.choice(["yes", "no"], n, p=[0.3 + shift / 10, 0.7 - shift / 10]),
            "colour": rng.choice(cats, n, p=p),
        })

    ref = frame(n_ref, 0.0, ["red", "green", "blue"], [0.5, 0.3, 0.2])
    cur = frame(n_cur, 1.0, ["red", "green", "blue"], [0.3, 0.3, 0.4])
    return ref, cur


NUMERIC = ["stable", "shifted", "skewed", "counts", "few"]
CATEGORICAL = ["flag", "colour"]


def assert_agrees(ref: pl.DataFrame, cur: pl.DataFrame, numeric: list[str], categorical: list[str],
                  method: str | None) -> pl.DataFrame:
    ours = drift.compare(ref, cur, columns=numeric + categorical, categorical=categorical,
                         method=method or "auto")
    theirs = drift_evidently.scores(drift_evidently.run_preset(ref, cur, numeric=numeric,
                                                               categorical=categorical, method=method))
    assert set(theirs) == set(ours["column"])
    for row in ours.iter_rows(named=True):
        ev = theirs[row["column"]]
        score = row["p_value"] if row["method"] in drift.P_VALUE_METHODS else row["statistic"]
        assert close(score, ev.score), (row, ev)
        assert row["drifted"] == ev.drifted, (row, ev)
        assert ev.method_label in (EVIDENTLY_NAMES[row["method"]], row["method"])  # explicit: its name
    return ours


@pytest.mark.slow  # Evidently oracle: seconds per case (make test runs it; make test-fast does not)
@pytest.mark.parametrize(("n_ref", "n_cur"), [(600, 400), (5_000, 3_000)])
def test_auto_agrees_with_evidently_on_synthetic_data(n_ref: int, n_cur: int) -> None:
    ref, cur = synthetic(n_ref, n_cur)
    ours = assert_agrees(ref, cur, NUMERIC, CATEGORICAL, None)
    methods = dict(zip(ours["column"], ours["method"], strict=True))
    if n_ref <= drift.SMALL_REFERENCE:
        assert methods == {"stable": "ks", "shifted": "ks", "skewed": "ks", "counts": "ks", "few": "chisquare",
                           "flag": "z", "colour": "chisquare"}
    else:
        assert methods == {"stable": "wasserstein", "shifted": "wasserstein", "skewed": "wasserstein",
                           "counts": "wasserstein", "few": "jensenshannon", "flag": "jensenshannon",
                           "colour": "jensenshannon"}
    status = dict(zip(ours["column"], ours["status"], strict=True))
    assert status["shifted"] == "drift" and status["stable"] in ("ok", "warning")


@pytest.mark.slow  # Evidently oracle, as above
@pytest.mark.parametrize(("method", "numeric", "categorical"), [
    ("ks", NUMERIC, []),
    ("wasserstein", NUMERIC, []),
    ("jensenshannon", NUMERIC, CATEGORICAL),
    ("chisquare", [], CATEGORICAL),
    ("z", [], ["flag"]),
    ("hellinger", NUMERIC, CATEGORICAL),
])
def test_each_method_agrees_with_evidently(method: str, numeric: list[str], categorical: list[str]) -> None:
    ref, cur = synthetic(3_000, 2_000, seed=3)
    assert_agrees(ref, cur, numeric, categorical, method)


def test_statistics_agree_with_scipy() -> None:
    ref, cur = synthetic(2_500, 1_700, seed=5)
    r, c = ref["shifted"].to_numpy(), cur["shifted"].to_numpy()
    out = {m: drift.compare(ref, cur, columns=["shifted"], method=m).row(0, named=True)
           for m in ("ks", "wasserstein", "jensenshannon")}
    ks = stats.ks_2samp(r, c)
    assert close(out["ks"]["statistic"], ks.statistic) and close(out["ks"]["p_value"], ks.pvalue)
    assert close(out["wasserstein"]["statistic"], stats.wasserstein_distance(r, c) / np.std(r))
    edges = np.histogram_bin_edges(np.concatenate([r, c]), bins="sturges")
    js = distance.jensenshannon(np.histogram(r, edges)[0] / r.size, np.histogram(c, edges)[0] / c.size)
    assert close(out["jensenshannon"]["statistic"], js)
    # chi-square and z on the categories, against scipy / statsmodels formulas
    rc = ref["colour"].value_counts().sort("colour")["count"].to_numpy()
    cc = cur["colour"].value_counts().sort("colour")["count"].to_numpy()
    chi = stats.chisquare(cc, rc * cc.sum() / rc.sum())
    got = drift.compare(ref, cur, columns=["colour"], method="chisquare").row(0, named=True)
    assert close(got["statistic"], chi.statistic) and close(got["p_value"], chi.pvalue)
    from statsmodels.stats.proportion import proportions_ztest

    x = [int((ref["flag"] == "yes").sum()), int((cur["flag"] == "yes").sum())]
    z, p = proportions_ztest(x, [ref.height, cur.height])
    got = drift.compare(ref, cur, columns=["flag"], method="z").row(0, named=True)
    assert close(abs(got["statistic"]), abs(z)) and close(got["p_value"], p)


@pytest.mark.parametrize("seed", range(5))
def test_fast_wasserstein_equals_scipy_for_any_sizes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    u = np.sort(rng.normal(size=rng.integers(1, 500)))
    v = np.sort(np.round(rng.normal(0.5, 2, size=rng.integers(1, 500)), 1))  # ties too
    assert close(drift_stats.wasserstein_sorted(u, v), stats.wasserstein_distance(u, v))


def test_psi_hand_worked_example() -> None:
    # reference 1..100: deciles 10.9, 20.8, ... (numpy linear quantiles), 10 values per bin
    ref = pl.DataFrame({"x": np.arange(1, 101, dtype=float)})
    # current: 50 values in the first decile bin (<= 10.9), 50 in the last (> 90.1), 0 in the 8 others
    cur = pl.DataFrame({"x": np.r_[np.full(50, 5.0), np.full(50, 95.0)]})
    got = drift.compare(ref, cur, method="psi").row(0, named=True)
    # shares: ref 0.1 per bin; cur 0.5, 0.5 and eight empty bins floored at 1e-4; null bin 0 vs 0
    floor = 1e-4
    expected = 2 * (0.5 - 0.1) * math.log(0.5 / 0.1) + 8 * (floor - 0.1) * math.log(floor / 0.1)
    assert close(got["statistic"], expected)
    assert got["status"] == "drift" and got["drifted"] and got["threshold"] == 0.25


def test_psi_null_bin_and_bands() -> None:
    ref = pl.DataFrame({"x": np.arange(1, 101, dtype=float)})
    cur = pl.DataFrame({"x": [*np.arange(1, 91, dtype=float), *[None] * 10]})
    got = drift.compare(ref, cur, method="psi").row(0, named=True)
    # ten values of the last decile bin became nulls: last bin 0.1 -> floor, null bin floor -> 0.1
    floor = 1e-4
    expected = 2 * (0.1 - floor) * math.log(0.1 / floor)
    assert close(got["statistic"], expected)
    assert drift.grade("psi", 0.05, None, 0.25) == (False, "ok")
    assert drift.grade("psi", 0.15, None, 0.25) == (False, "warning")
    assert drift.grade("psi", 0.25, None, 0.25) == (True, "drift")


def test_psi_differs_from_evidentlys_on_purpose() -> None:
    ref, cur = synthetic(3_000, 2_000, seed=8)
    ours = drift.compare(ref, cur, columns=["skewed"], method="psi")["statistic"][0]
    theirs = drift_evidently.scores(drift_evidently.run_preset(ref, cur, numeric=["skewed"], categorical=[],
                                                               method="psi"))["skewed"].score
    assert not close(ours, theirs)  # different binning: documented in docs/drift.md


def test_dataset_drift_share() -> None:
    ref, cur = synthetic(3_000, 2_000)
    res = drift.compare(ref, cur)
    dd = drift.dataset_drift(res)
    assert dd.n_columns == 7 and dd.share_drifted == dd.n_drifted / 7
    assert dd.drifted == (dd.share_drifted >= 0.5)
    assert drift.dataset_drift(res, drift_share=0.01).drifted == (dd.n_drifted > 0)


def test_accepts_pandas_and_duckdb() -> None:
    import duckdb

    ref, cur = synthetic(700, 500)
    a = drift.compare(ref, cur)
    b = drift.compare(ref.to_pandas(), cur.to_pandas())
    con = duckdb.connect()
    con.register("r", ref.to_arrow())
    con.register("c", cur.to_arrow())
    c = drift.compare(con.sql("select * from r"), con.sql("select * from c"))
    assert a.equals(b) and a.equals(c)


# ---------------------------------------------------------------- bad input


def test_unknown_column_is_a_clear_error() -> None:
    ref, cur = synthetic(100, 100)
    with pytest.raises(InputError, match="Unknown column.*nope"):
        drift.compare(ref, cur, columns=["nope"])


def test_empty_window_is_a_clear_error() -> None:
    ref, cur = synthetic(100, 100)
    with pytest.raises(InputError, match="current window has no rows"):
        drift.compare(ref, cur.head(0))


def test_unknown_method_and_wrong_kind() -> None:
    ref, cur = synthetic(100, 100)
    with pytest.raises(InputError, match="Unknown drift method"):
        drift.compare(ref, cur, method="magic")
    with pytest.raises(InputError, match="needs numbers"):
        drift.compare(ref, cur, columns=["colour"], method="ks")


def test_mixed_types_are_a_clear_error() -> None:
    ref = pd.DataFrame({"x": [1, 2, "three", 4.0]})
    cur = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(InputError, match="mixes numbers and text"):
        drift.compare(ref, cur)
    with pytest.raises(InputError, match="numeric in the reference but categorical"):
        drift.compare(pl.DataFrame({"x": [1.0, 2.0]}), pl.DataFrame({"x": ["a", "b"]}))


def test_all_null_and_single_value_columns_are_reported_not_crashed() -> None:
    ref = pl.DataFrame({"gone": [1.0, 2.0, 3.0] * 100, "const": [5.0] * 300, "never": [None] * 300},
                       schema={"gone": pl.Float64, "const": pl.Float64, "never": pl.Float64})
    cur = pl.DataFrame({"gone": [None] * 200, "const": [5.0] * 200, "never": [1.0] * 200},
                       schema={"gone": pl.Float64, "const": pl.Float64, "never": pl.Float64})
    out = {r["column"]: r for r in drift.compare(ref, cur).iter_rows(named=True)}
    assert out["gone"]["status"] == "drift" and "No values in the current window" in out["gone"]["note"]
    assert out["gone"]["share_null_cur"] == 1.0
    assert out["never"]["drifted"] is False and "reference window" in out["never"]["note"]
    assert out["const"]["status"] == "ok" and out["const"]["note"] == "A single value in both windows."


# ---------------------------------------------------------------- real data (../shared/datasets)


@pytest.mark.shared
@pytest.mark.parametrize("method", [None, "ks", "wasserstein", "jensenshannon"])
def test_bike_sharing_year_over_year(shared_datasets, method) -> None:
    hour = pl.read_csv(shared_datasets / "bike_sharing" / "hour.csv")
    ref, cur = hour.filter(pl.col("yr") == 0), hour.filter(pl.col("yr") == 1)
    numeric = ["temp", "atemp", "hum", "windspeed", "cnt", "casual", "registered"]
    categorical = [] if method in ("ks", "wasserstein") else ["season", "weathersit", "holiday"]
    assert_agrees(ref, cur, numeric, categorical, method)
    # small references take the statistical tests
    assert_agrees(ref.sample(900, seed=1), cur.sample(700, seed=2), numeric, ["weathersit", "holiday"], None)


def _adult(path, skip: int) -> pl.DataFrame:
    names = ["age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
             "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
             "native_country", "income"]
    df = pl.read_csv(path, has_header=False, new_columns=names, skip_rows=skip, null_values=[" ?"],
                     infer_schema=False).filter(pl.col("income").is_not_null())
    df = df.with_columns(pl.all().str.strip_chars().str.strip_chars_end("."))
    numbers = ["age", "fnlwgt", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
    return df.with_columns(pl.col(numbers).cast(pl.Float64))


@pytest.mark.shared
@pytest.mark.parametrize("method", [None, "chisquare", "z", "jensenshannon"])
def test_adult_census_train_vs_test(shared_datasets, method) -> None:
    ref = _adult(shared_datasets / "adult_census" / "adult.data", 0)
    cur = _adult(shared_datasets / "adult_census" / "adult.test", 1)
    # a shifted current: older, more hours (adult.test alone is a random split: no drift)
    shifted = cur.filter(pl.col("age") > 35)
    if method == "z":
        numeric, categorical = [], ["sex", "income"]
    elif method == "chisquare":
        numeric, categorical = [], ["workclass", "education", "marital_status", "race", "sex", "income"]
    else:
        numeric = ["age", "fnlwgt", "education_num", "capital_gain", "hours_per_week"]
        categorical = ["workclass", "education", "marital_status", "race", "sex", "income"]
    for current in (cur, shifted):
        assert_agrees(ref, current, numeric, categorical, method)


@pytest.mark.shared
def test_column_types_follow_evidentlys_inference_on_bike_sharing(shared_datasets) -> None:
    """``holiday`` (0/1 integers) and the other few-valued integer columns are categorical, as
    Evidently 0.7 infers them from the data itself (no data definition given): per month of 2012
    against 2011, every column's kind, method and verdict equal Evidently's. Before: ``holiday`` was
    numeric (normed Wasserstein), so a month with one holiday more read as drift."""
    from evidently import Dataset, Report
    from evidently.core.datasets import ColumnType, infer_column_type
    from evidently.presets import DataDriftPreset

    from analytics.drift import report as drift_evidently

    cols = ["season", "hr", "holiday", "weekday", "workingday", "weathersit", "temp", "hum", "windspeed", "cnt"]
    hour = pl.read_csv(shared_datasets / "bike_sharing" / "hour.csv")
    ref = hour.filter(pl.col("yr") == 0).select(cols)
    expected_kind = {c: "categorical" if infer_column_type(ref[c].to_pandas()) == ColumnType.Categorical
                     else "numeric" for c in cols}
    assert expected_kind["holiday"] == "categorical" and expected_kind["hr"] == "numeric"
    months_drifted = evidently_months = 0
    for month in range(1, 13):
        cur = hour.filter((pl.col("yr") == 1) & (pl.col("mnth") == month)).select(cols)
        ours = {r["column"]: r for r in drift.compare(ref, cur).iter_rows(named=True)}
        snap = Report([DataDriftPreset()], include_tests=True).run(Dataset.from_pandas(cur.to_pandas()),
                                                                   Dataset.from_pandas(ref.to_pandas()))
        theirs = drift_evidently.scores(snap)
        for c in cols:
            assert ours[c]["kind"] == expected_kind[c], (month, c)
            assert drift.METHOD_LABELS[ours[c]["method"]].split()[0].lower() in theirs[c].method_label.lower(), (
                month, c, ours[c]["method"], theirs[c].method_label)
            score = ours[c]["p_value"] if ours[c]["method"] in drift.P_VALUE_METHODS else ours[c]["statistic"]
            assert score == pytest.approx(theirs[c].score, rel=1e-6, abs=1e-9), (month, c)
            assert ours[c]["drifted"] == theirs[c].drifted, (month, c)
        months_drifted += ours["holiday"]["drifted"]
        evidently_months += theirs["holiday"].drifted
    assert months_drifted == evidently_months == 0  # holiday does not drift in any month of 2012
