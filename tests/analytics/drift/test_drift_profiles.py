"""Profiles (frozen bins, incremental daily histograms) and drift from profiles against the exact
statistics on the raw rows, within the documented bound; plus the drift alerts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from analytics import pipeline
from analytics.drift import alerts as drift_alerts
from analytics.drift import compare as drift
from analytics.drift import monitor as drift_monitor
from analytics.drift import policy
from analytics.drift import profiles as drift_profiles

START = datetime(2026, 1, 1, tzinfo=UTC)


def _features(rng, days: range, shift: float, n_per_day: int, first_id: int) -> pl.DataFrame:
    rows = []
    rid = first_id
    for d in days:
        at = START + timedelta(days=d, hours=12)
        x = rng.normal(10 + shift, 2, n_per_day)
        x[rng.random(n_per_day) < 0.02] = np.nan  # some nulls
        cats = rng.choice(["a", "b", "c"], n_per_day, p=[0.6 - shift / 10, 0.3, 0.1 + shift / 10])
        for i in range(n_per_day):
            rows.append({"feature_at": at, "model_id": "m1", "version": "v1", "request_id": f"r{rid}",
                         "feature": "amount", "value_num": None if np.isnan(x[i]) else float(x[i])})
            rows.append({"feature_at": at, "model_id": "m1", "version": "v1", "request_id": f"r{rid}",
                         "feature": "channel", "value_cat": str(cats[i])})
            rid += 1
    return pl.DataFrame(rows, infer_schema_length=None)


@pytest.fixture
def drift_lake(lake):
    rng = np.random.default_rng(11)
    lake.put("models", [{"model_id": "m1", "name": "Model one", "business_unit": "bu", "stage": "production",
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m1", "version": "v1", "registered_at": START + timedelta(days=31),
                                 "train_start_at": START, "train_end_at": START + timedelta(days=30)}])
    lake.put("features", _features(rng, range(0, 31), 0.0, 60, 0))  # January: reference
    lake.put("features", _features(rng, range(31, 59), 0.0, 60, 100_000))  # February: stable
    return lake


def _exact(lake, ref: tuple[date, date], cur: tuple[date, date]) -> pl.DataFrame:
    con = lake.con()
    r, c, _, cats = drift_monitor.raw_frames(con, model_id="m1", ref_start=ref[0], ref_end=ref[1],
                                             cur_start=cur[0], cur_end=cur[1], max_rows=10**9)
    return r, c, cats


def test_bins_frozen_once_and_profiles_incremental(drift_lake) -> None:
    rep = {r.name: r for r in drift_lake.refresh()}
    assert rep["drift_profiles"].new_files == 2
    bins = drift_profiles.load_bins(drift_lake.root)
    b = bins[("features", "m1", "v1", "amount")]
    assert b.kind == "numeric" and 40 <= b.edges.size <= 49
    assert set(b.psi_edges) <= set(b.edges)  # decile edges are fine edges: PSI from profiles is exact
    assert bins[("features", "m1", "v1", "channel")].categories == ("a", "b", "c")
    # March arrives shifted: only the new file is profiled, bins stay as they were
    drift_lake.put("features", _features(np.random.default_rng(5), range(59, 90), 1.5, 60, 200_000))
    rep = {r.name: r for r in drift_lake.refresh()}
    assert rep["drift_profiles"].new_files == 1 and not rep["drift_profiles"].rebuilt
    again = drift_profiles.load_bins(drift_lake.root)[("features", "m1", "v1", "amount")]
    assert np.array_equal(again.edges, b.edges)
    con = drift_lake.con()
    n = con.sql("select sum(n) + sum(n_null) from drift_profiles where feature = 'amount'").fetchall()[0][0]
    assert n == 90 * 60  # every value profiled exactly once


@pytest.mark.parametrize("cur", [(date(2026, 2, 1), date(2026, 2, 28)), (date(2026, 3, 1), date(2026, 3, 31))])
def test_profile_drift_matches_exact_within_bound(drift_lake, cur) -> None:
    drift_lake.put("features", _features(np.random.default_rng(5), range(59, 90), 1.5, 60, 200_000))
    drift_lake.refresh()
    ref = (date(2026, 1, 1), date(2026, 1, 31))
    prof = drift_monitor.drift_table(drift_lake.con(), root=str(drift_lake.root), model_id="m1", version="v1",
                                     ref_start=ref[0], ref_end=ref[1], cur_start=cur[0], cur_end=cur[1])
    p = {r["column"]: r for r in prof.iter_rows(named=True)}
    r, c, cats = _exact(drift_lake, ref, cur)
    w = drift.compare(r, c, columns=["amount"], method="wasserstein").row(0, named=True)
    psi = drift.compare(r, c, columns=["amount"], method="psi").row(0, named=True)
    js = drift.compare(r, c, columns=["channel"], categorical=cats, method="jensenshannon").row(0, named=True)
    gap = w["statistic"] - p["amount"]["statistic"]
    assert -1e-9 <= gap <= p["amount"]["bound"] + 1e-9  # guaranteed: exact in [statistic, statistic + bound]
    assert gap < 0.01  # measured, documented in docs/drift.md: the lower bound is within 0.01 std
    assert p["amount"]["psi"] == pytest.approx(psi["statistic"], rel=1e-9)
    assert p["channel"]["statistic"] == pytest.approx(js["statistic"], rel=1e-9)
    assert p["amount"]["drifted"] == w["drifted"]
    shifted = cur[0].month == 3
    assert (p["amount"]["status"] == "drift") == shifted


def test_wasserstein_bounds_hold_on_random_samples() -> None:
    rng = np.random.default_rng(0)
    for trial in range(20):
        ref = rng.lognormal(0, 1, 3000)
        cur = rng.lognormal(rng.normal(0, 0.3), 1 + rng.random() / 2, 2000)
        b = drift_profiles.Bins("m", "v", "features", "x", "numeric", np.unique(np.quantile(ref, np.arange(1, 50) / 50)),
                                ())
        ms = []
        for x in (ref, cur):
            idx = np.searchsorted(b.edges, x, side="left")
            ms.append(drift_profiles.Merged("numeric", x.size, 0, x.sum(), (x * x).sum(), x.min(), x.max(),
                                            np.bincount(idx, minlength=b.edges.size + 1).astype(float),
                                            np.bincount(idx, weights=x, minlength=b.edges.size + 1)))
        lower, upper = drift_profiles.wasserstein_bounds(ms[0], ms[1], b.edges)
        from scipy.stats import wasserstein_distance

        exact = wasserstein_distance(ref, cur)
        assert lower - 1e-9 <= exact <= upper + 1e-9, trial
        assert exact - lower < 0.02 * ref.std(), trial  # measured; documented in docs/drift.md


def test_drift_alert_written_once_with_since_date(drift_lake) -> None:
    drift_lake.put("features", _features(np.random.default_rng(5), range(59, 90), 1.5, 60, 200_000))
    pipeline.refresh(drift_lake.root)
    alerts = drift_lake.con().sql("select * from alerts").pl()
    amount = alerts.filter(pl.col("subject") == "amount")
    assert amount.height == 1 and amount["kind"][0] == "drift"
    assert "Input drift in amount since 2 March 2026" in amount["message"][0]  # the Monday of the first drifted week
    assert drift_alerts.evaluate(drift_lake.root) == 0  # same episode: nothing new


def _alerts(lake) -> pl.DataFrame:
    pipeline.refresh(lake.root)
    return lake.con().sql("select * from alerts").pl()


def _one_model(lake, stage: str = "production") -> None:
    lake.put("models", [{"model_id": "m1", "name": "Model one", "business_unit": "bu", "stage": stage,
                         "task": "classification"}])
    lake.put("model_versions", [{"model_id": "m1", "version": "v1", "registered_at": START + timedelta(days=31),
                                 "train_start_at": START, "train_end_at": START + timedelta(days=30)}])


def test_tiny_reference_raises_no_alert_and_says_why(lake) -> None:
    # 9 reference rows (the demo's old workforce_scheduler case), then a current window that is
    # clearly shifted: the distance says drift, but 9 rows cannot support an alert
    _one_model(lake)
    rng = np.random.default_rng(3)
    lake.put("features", _features(rng, range(0, 3), 0.0, 3, 0))  # 3 days x 3 rows in January
    lake.put("features", _features(rng, range(59, 90), 1.5, 60, 100_000))  # March, shifted
    assert _alerts(lake).height == 0
    w = drift_monitor.default_windows(lake.con(), str(lake.root), "m1", "v1")
    table = drift_monitor.drift_table(lake.con(), root=str(lake.root), model_id="m1", version="v1",
                                      ref_start=w.ref_start, ref_end=w.ref_end, cur_start=w.cur_start,
                                      cur_end=w.cur_end)
    amount = table.filter(pl.col("column") == "amount").row(0, named=True)
    assert amount["n_ref"] == 9 - int(amount["share_null_ref"] * 9 + 0.5)  # non-null values
    assert amount["status"] == "drift"  # the statistic is shown as is ...
    assert amount["note"].startswith(f"reference too small (n={amount['n_ref']}")  # ... with the reason


def test_alert_minimums_are_the_documented_boundaries() -> None:
    assert policy.too_small(policy.MIN_REF_ROWS, policy.MIN_CUR_ROWS, 0.3) is None
    assert policy.too_small(policy.MIN_REF_ROWS - 1, 10_000, 0.3) == (
        f"reference too small (n={policy.MIN_REF_ROWS - 1}; an alert needs {policy.MIN_REF_ROWS})")
    assert policy.too_small(10_000, policy.MIN_CUR_ROWS - 1, 0.3).startswith(
        f"current window too small (n={policy.MIN_CUR_ROWS - 1};")
    assert policy.too_small(10_000, 0, None) is None  # all values missing now: still judged
    assert (policy.MIN_REF_ROWS, policy.MIN_CUR_ROWS) == (500, 200)  # as docs/drift.md says


def test_since_is_the_first_drifted_day_of_a_mid_week_shift(drift_lake) -> None:
    # the shift starts on Wednesday 4 March: the week starts on Monday 2 March, the alert says 4 March
    rng = np.random.default_rng(9)
    drift_lake.put("features", _features(rng, range(59, 62), 0.0, 60, 200_000))  # Sun 1 - Tue 3 March: stable
    drift_lake.put("features", _features(rng, range(62, 90), 1.5, 60, 300_000))
    amount = _alerts(drift_lake).filter(pl.col("subject") == "amount")
    assert amount.height == 1
    assert "Input drift in amount since 4 March 2026" in amount["message"][0]


def test_retired_models_are_not_judged(lake) -> None:
    _one_model(lake, stage="retired")
    rng = np.random.default_rng(4)
    lake.put("features", _features(rng, range(0, 31), 0.0, 60, 0))
    lake.put("features", _features(rng, range(59, 90), 1.5, 60, 100_000))
    assert _alerts(lake).height == 0
    assert drift_alerts.breaches(lake.root) == []
