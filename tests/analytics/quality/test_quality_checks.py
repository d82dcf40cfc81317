"""Check evaluation: hand-worked expected values on inline rows, one scan per table, bounded samples."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from analytics.quality import checks as qc
from analytics.quality import contracts

AS_OF = datetime(2026, 10, 31, 12, tzinfo=UTC)
H = timedelta(hours=1)


def _contract(body: str):
    return contracts.parse("dataset: crm_accounts\nchecks:\n" + body, file="crm_accounts.yaml").checks


def _features(lake, tenure: list[float | None], *, at=AS_OF - 2 * H, model="churn_propensity"):
    rows = [{"feature_at": at - i * timedelta(minutes=1), "model_id": model, "request_id": f"r{i}",
             "feature": "account_tenure_months", "value_num": v} for i, v in enumerate(tenure)]
    lake.put("features", rows)


def test_grade_directions() -> None:
    assert qc.grade(0.97, 0.99, 0.95, higher_is_better=True) == "warn"
    assert qc.grade(0.95, 0.99, 0.95, higher_is_better=True) == "warn"  # at the fail line: not below it
    assert qc.grade(0.94, 0.99, 0.95, higher_is_better=True) == "fail"
    assert qc.grade(0.995, 0.99, 0.95, higher_is_better=True) == "pass"
    assert qc.grade(31, 30, 48, higher_is_better=False) == "warn"
    assert qc.grade(49, 30, 48, higher_is_better=False) == "fail"
    assert qc.grade(None, 30, 48, higher_is_better=False) == "error"


def test_completeness_hand_worked(lake) -> None:
    # 10 tenure values in the last day, 3 null -> 7/10 non-null = 0.70; fail below 0.95
    _features(lake, [1, None, 3, 4, None, 6, 7, None, 9, 10])
    # noise the filter must exclude: another feature, another model, and an older day all null
    lake.put("features", [
        {"feature_at": AS_OF - 2 * H, "model_id": "churn_propensity", "request_id": "x1",
         "feature": "monthly_spend", "value_num": None},
        {"feature_at": AS_OF - 2 * H, "model_id": "clv", "request_id": "x2",
         "feature": "account_tenure_months", "value_num": None},
        {"feature_at": AS_OF - 30 * H, "model_id": "churn_propensity", "request_id": "x3",
         "feature": "account_tenure_months", "value_num": None},
        {"feature_at": AS_OF + 2 * H, "model_id": "churn_propensity", "request_id": "x4",
         "feature": "account_tenure_months", "value_num": None},  # after as_of: not seen yet
    ])
    (check,) = _contract("""\
  - {id: tenure, kind: completeness, table: features, column: value_num, warn: 0.99, fail: 0.95,
     where: {model_id: churn_propensity, feature: account_tenure_months}}
""")
    (r,) = qc.evaluate(lake.con(), [check], as_of=AS_OF)
    assert r.metric_value == pytest.approx(0.7)
    assert (r.status, r.n_rows, r.n_failed) == ("fail", 10, 3)
    assert sorted(s["request_id"] for s in r.samples) == ["r1", "r4", "r7"]
    assert all(s["value_num"] is None for s in r.samples)
    # a two-day window also sees the older null: 7 / 11
    (r2,) = qc.evaluate(lake.con(), [check.__class__(**{**check.__dict__, "window_days": 2})], as_of=AS_OF)
    assert r2.metric_value == pytest.approx(7 / 11)


def test_samples_are_bounded(lake) -> None:
    _features(lake, [None] * 40)
    (check,) = _contract("  - {id: t, kind: completeness, table: features, column: value_num, warn: 1, fail: 1}\n")
    (r,) = qc.evaluate(lake.con(), [check], as_of=AS_OF)
    assert r.n_failed == 40 and len(r.samples) == qc.SAMPLE_ROWS
    # the newest failing rows: r0..r4 are the latest timestamps
    assert sorted(s["request_id"] for s in r.samples) == ["r0", "r1", "r2", "r3", "r4"]


def test_validity_rules_hand_worked(lake) -> None:
    rows = [{"prediction_at": AS_OF - H, "model_id": "m", "request_id": rid, "team": team, "score": score,
             "country": country}
            for rid, team, score, country in [
                ("a", "Risk", 0.2, "DE"), ("b", "Risk", 1.7, "de"), ("c", "Ops", -0.1, "FR"),
                ("d", "Nope", 0.5, "GB"), ("e", None, None, None), ("a", "Ops", 0.9, "US")]]
    lake.put("predictions", rows)
    checks = _contract("""\
  - {id: score_range, kind: validity, table: predictions, column: score, min: 0, max: 1, warn: 0.99, fail: 0.5}
  - {id: team_allowed, kind: validity, table: predictions, column: team, allowed: [Risk, Ops], warn: 0.99, fail: 0.5}
  - {id: country_iso, kind: validity, table: predictions, column: country, regex: '[A-Z]{2}', warn: 0.99, fail: 0.9}
  - {id: request_unique, kind: validity, table: predictions, column: request_id, unique: true, warn: 1, fail: 0.9}
""")
    res = {r.check.check_id: r for r in qc.evaluate(lake.con(), checks, as_of=AS_OF)}
    # scores: 0.2, 1.7, -0.1, 0.5, 0.9 (null ignored) -> 3 of 5 valid
    assert res["score_range"].metric_value == pytest.approx(3 / 5) and res["score_range"].n_failed == 2
    assert res["score_range"].status == "warn"
    assert {s["request_id"] for s in res["score_range"].samples} == {"b", "c"}
    # teams: Risk, Risk, Ops, Nope, Ops -> 4 of 5
    assert res["team_allowed"].metric_value == pytest.approx(4 / 5)
    # countries: DE, de, FR, GB, US -> 4 of 5, fails below 0.9
    assert res["country_iso"].metric_value == pytest.approx(4 / 5) and res["country_iso"].status == "fail"
    # request ids a, b, c, d, e, a -> 5 distinct of 6
    u = res["request_unique"]
    assert u.metric_value == pytest.approx(5 / 6) and u.n_failed == 1 and u.status == "fail"
    assert u.samples == ({"request_id": "a", "n_rows": 2},)


def _batches(lake, daily: list[int], *, stop_days: int = 0):
    """One batch per day: ``daily[k]`` rows k days before as_of (k=0 is the last 24 h)."""
    rows = [{"dataset_id": "crm_accounts", "batch_at": AS_OF - timedelta(days=k) - 3 * H, "n_rows": n,
             "newest_event_at": AS_OF - timedelta(days=k) - 5 * H}
            for k, n in enumerate(daily) if k >= stop_days]
    lake.put("dataset_batches", rows)


def test_volume_against_trailing_median(lake) -> None:
    # today 40 rows; trailing 7 days 100, 90, 110, 100, 95, 105, 120 -> median 100 -> ratio 0.4
    _batches(lake, [40, 100, 90, 110, 100, 95, 105, 120])
    (check,) = _contract("""\
  - {id: vol, kind: volume, table: dataset_batches, where: {dataset_id: crm_accounts}, measure: n_rows,
     trailing_days: 7, warn: 0.8, fail: 0.5}
""")
    (r,) = qc.evaluate(lake.con(), [check], as_of=AS_OF)
    assert statistics.median([100, 90, 110, 100, 95, 105, 120]) == 100
    assert r.metric_value == pytest.approx(0.4) and r.status == "fail" and r.n_rows == 40


def test_timeliness_after_feed_stops(lake) -> None:
    # batches stop 18 days before as_of: newest event is 18 days + 5 h old = 437 h
    _batches(lake, [100] * 40, stop_days=18)
    checks = _contract("""\
  - {id: fresh, kind: timeliness, table: dataset_batches, where: {dataset_id: crm_accounts},
     column: newest_event_at, warn: 30, fail: 48}
  - {id: vol, kind: volume, table: dataset_batches, where: {dataset_id: crm_accounts}, measure: n_rows,
     warn: 0.8, fail: 0.5}
""")
    fresh, vol = qc.evaluate(lake.con(), checks, as_of=AS_OF)
    assert fresh.metric_value == pytest.approx(18 * 24 + 5) and fresh.status == "fail"
    assert "18 days old" in fresh.message
    # nothing today and the trailing 28 days hold 17 empty days + 11 days of 100 -> median 0: stopped
    assert vol.status == "fail" and vol.metric_value == 0 and "stopped" in vol.message
    # as of 20 days earlier the feed was fresh (5 h old)
    fresh_then, _ = qc.evaluate(lake.con(), checks, as_of=AS_OF - timedelta(days=20))
    assert fresh_then.metric_value == pytest.approx(5) and fresh_then.status == "pass"


class _CountingCon:
    def __init__(self, con) -> None:
        self.con, self.calls, self.texts = con, 0, []

    def sql(self, *a, **kw):
        self.calls += 1
        self.texts.append(a[0])
        return self.con.sql(*a, **kw)


def test_one_scan_per_table(lake) -> None:
    _features(lake, [1, None, 3])
    _batches(lake, [5, 5, 5])
    checks = _contract("""\
  - {id: c1, kind: completeness, table: features, column: value_num, warn: 1, fail: 0.5}
  - {id: c2, kind: validity, table: features, column: value_num, min: 0, warn: 1, fail: 0.5}
  - {id: c3, kind: volume, table: features, warn: 0.8, fail: 0.5}
  - {id: c4, kind: timeliness, table: features, column: feature_at, warn: 1, fail: 2}
  - {id: c5, kind: completeness, table: features, column: value_cat, warn: 1, fail: 0.5}
  - {id: b1, kind: timeliness, table: dataset_batches, column: newest_event_at, warn: 30, fail: 48}
  - {id: b2, kind: volume, table: dataset_batches, measure: n_rows, warn: 0.8, fail: 0.5}
""")
    con = _CountingCon(lake.con())
    out = qc.evaluate(con, checks, as_of=AS_OF)
    scans = [t for t in con.texts if "group by" in t]
    assert len(out) == 7 and len(scans) == 2  # one aggregate scan per table
    # breached row-level checks (c1 warns, c5 fails) fetch their bounded samples; nothing else runs
    samples = [t for t in con.texts if "group by" not in t]
    assert len(samples) == 2 and all(t.rstrip().endswith(f"limit {qc.SAMPLE_ROWS}") for t in samples)


def test_csv_path_and_type_rule(lake, tmp_path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,tenure,loaded_at\nA1,12,2026-10-31 10:00:00\nA2,x,2026-10-31 10:00:00\n"
                    "A3,,2026-10-31 10:00:00\nA4,7,2026-10-31 11:00:00\n")
    checks = _contract(f"""\
  - {{id: t_num, kind: validity, path: '{path}', column: tenure, type: integer, warn: 1, fail: 0.9}}
  - {{id: t_full, kind: completeness, path: '{path}', column: tenure, time_column: loaded_at, warn: 1, fail: 0.5}}
""")
    res = {r.check.check_id: r for r in qc.evaluate(lake.con(), checks, as_of=AS_OF)}
    assert res["t_num"].metric_value == pytest.approx(2 / 3) and res["t_num"].status == "fail"
    assert res["t_full"].metric_value == pytest.approx(3 / 4)


def test_override_reads_a_file_instead_of_the_table(lake, tmp_path) -> None:
    pl.DataFrame({"feature_at": [AS_OF - H] * 4, "model_id": ["m"] * 4, "feature": ["f"] * 4,
                  "value_num": [1.0, None, None, None]}).write_parquet(tmp_path / "f.parquet")
    (check,) = _contract("  - {id: c, kind: completeness, table: features, column: value_num, warn: 1, fail: 0.5}\n")
    (r,) = qc.evaluate(lake.con(), [check], as_of=AS_OF, overrides={"features": tmp_path / "f.parquet"})
    assert r.metric_value == pytest.approx(0.25)


def test_completeness_matches_polars_on_random_rows(lake) -> None:
    rng = random.Random(5)
    vals = [None if rng.random() < 0.3 else rng.random() for _ in range(500)]
    ages = [timedelta(hours=rng.uniform(0, 60)) for _ in vals]
    lake.put("features", [{"feature_at": AS_OF - a, "model_id": "m", "feature": "f", "request_id": str(i),
                           "value_num": v} for i, (v, a) in enumerate(zip(vals, ages, strict=True))])
    (check,) = _contract("  - {id: c, kind: completeness, table: features, column: value_num, warn: 1, "
                         "fail: 0.5, window_days: 2}\n")
    (r,) = qc.evaluate(lake.con(), [check], as_of=AS_OF)
    df = pl.DataFrame({"v": vals, "age_h": [a.total_seconds() / 3600 for a in ages]}).filter(pl.col("age_h") < 48)
    assert r.metric_value == pytest.approx(1 - df["v"].null_count() / df.height)


def test_evaluate_days_equals_one_run_per_day(lake) -> None:
    rng = random.Random(11)
    lake.put("features", [{"feature_at": AS_OF - timedelta(hours=rng.uniform(0, 24 * 12)), "model_id": "m",
                           "feature": "f", "request_id": f"q{i % 150}",
                           "value_num": None if rng.random() < 0.2 else rng.uniform(-1, 5)} for i in range(400)])
    _batches(lake, [rng.randint(50, 150) for _ in range(40)], stop_days=0)
    checks = _contract("""\
  - {id: c, kind: completeness, table: features, column: value_num, warn: 0.9, fail: 0.8, window_days: 2}
  - {id: v, kind: validity, table: features, column: value_num, min: 0, warn: 0.9, fail: 0.8}
  - {id: u, kind: validity, table: features, column: request_id, unique: true, warn: 1, fail: 0.5}
  - {id: vol, kind: volume, table: dataset_batches, measure: n_rows, trailing_days: 7, warn: 0.8, fail: 0.5}
  - {id: t, kind: timeliness, table: dataset_batches, column: newest_event_at, warn: 30, fail: 48}
""")
    con = lake.con()
    series = qc.evaluate_days(con, checks, last=AS_OF, days=5)
    for k, day_results in enumerate(series):
        single = qc.evaluate(con, checks, as_of=AS_OF - timedelta(days=4 - k))
        assert [(r.check.check_id, r.metric_value, r.status, r.n_rows, r.n_failed) for r in day_results] == \
               [(r.check.check_id, r.metric_value, r.status, r.n_rows, r.n_failed) for r in single]
