"""Performance and drift by segment, from the segment rollups of a fixture lakehouse built here:
per team and country, the AUC equals scikit-learn's roc_auc_score and the MAE its
mean_absolute_error on the same raw rows; the score PSI equals our PSI on the raw rows on the
reference deciles; small segments say "too few rows"; a scoped user sees nothing of another unit's
model; and a hand-worked example pins the binned AUC with a tie."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from sklearn.metrics import mean_absolute_error, roc_auc_score

from analytics.drift import segments
from analytics.drift import stats as ds
from analytics.drift.policy import MIN_SEGMENT_LABELLED
from analytics.product.scope import Scope

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday; 10 weeks of traffic
REF = (date(2026, 1, 5), date(2026, 2, 1))  # the training window (4 weeks)
CUR = (date(2026, 2, 16), date(2026, 3, 15))  # 4 whole weeks
TEAMS = ["north", "south", "east", "tiny"]


def _traffic(task: str, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    n = 24_000
    minutes = rng.integers(0, 70 * 24 * 60, n)
    at = [START + timedelta(minutes=int(m)) for m in minutes]
    team = rng.choice(TEAMS[:3], n).astype(object)
    team[rng.random(n) < 0.004] = "tiny"  # ~40 labelled rows in the current window: too few
    team[rng.random(n) < 0.01] = None  # not logged: '(unknown)'
    country = rng.choice(["FR", "DE"], n, p=[0.6, 0.4])
    current = minutes >= (CUR[0] - REF[0]).days * 24 * 60
    broken = current & (team == "east")
    label = (rng.random(n) < 0.3).astype(float)
    if task == "classification":
        # scores at the centre of a 1/1000 bin: the binned AUC is then exactly the raw one
        k = np.where(label == 1, rng.normal(650, 150, n), rng.normal(350, 150, n))
        k = np.where(broken, rng.normal(600, 100, n), k)  # east stops ranking and moves up in the current window
        score = (np.clip(np.round(k), 0, 999) + 0.5) / 1000
    else:
        label = rng.normal(100, 20, n)
        score = label + rng.normal(0, np.where(broken, 25, 5), n) + np.where(broken, 10, 0)
    return pl.DataFrame({"prediction_at": at, "model_id": "m", "version": "1",
                         "request_id": [f"r{i}" for i in range(n)], "team": pl.Series(team, dtype=pl.String),
                         "country": country, "score": score, "label": label})


def _lake(lake, task: str, unit: str = "retail") -> pl.DataFrame:
    rows = _traffic(task)
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": unit, "stage": "production", "task": task}])
    lake.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": START,
                                 "train_start_at": START, "train_end_at": datetime(2026, 2, 1, 23, tzinfo=UTC)}])
    lake.put("predictions", rows.drop("label"))
    lake.put("outcomes", rows.select("request_id", "model_id", observed_at=pl.col("prediction_at") + timedelta(days=3),
                                     label="label"))
    lake.refresh()
    return rows.with_columns(day=pl.col("prediction_at").dt.date(), team=pl.col("team").fill_null("(unknown)"))


def _table(lake, scope=None) -> pl.DataFrame:
    return segments.segments(lake.con(), root=str(lake.root), model_id="m", version="1", ref_start=REF[0],
                             ref_end=REF[1], cur_start=CUR[0], cur_end=CUR[1], scope=scope)


def test_classifier_segments_match_sklearn_and_our_psi_on_raw_rows(lake) -> None:
    raw = _lake(lake, "classification")
    table = _table(lake)
    cur = raw.filter(pl.col("day").is_between(*CUR))
    ref = raw.filter(pl.col("day").is_between(*REF))
    edges = ds.quantile_edges(ref["score"].to_numpy(), ds.PSI_BINS)  # the reference deciles
    overall = roc_auc_score(cur["label"], cur["score"])
    checked = 0
    for kind in ("team", "country"):
        for (seg,), g in cur.group_by(kind):
            row = table.filter((pl.col("segment_kind") == kind) & (pl.col("segment") == seg)).row(0, named=True)
            assert row["n_labelled"] == g.height
            assert row["value"] == pytest.approx(roc_auc_score(g["label"], g["score"]), abs=1e-12)
            assert row["overall"] == pytest.approx(overall, abs=1e-12)
            r = ref.filter(pl.col(kind) == seg)["score"].to_numpy()
            want = ds.psi(np.append(ds.bin_counts(r, edges), 0), np.append(ds.bin_counts(g["score"].to_numpy(),
                                                                                            edges), 0))
            assert row["psi"] == pytest.approx(want, rel=1e-9)
            assert (row["n_ref"], row["n_cur"]) == (r.size, g.height)
            checked += 1
    assert checked == 7  # 5 teams (with tiny and unknown) and 2 countries
    east = table.filter(pl.col("segment") == "east").row(0, named=True)
    assert table["segment"][0] == "east"  # the worst segment first
    assert east["drop"] > 0.2 and east["verdict"].startswith("AUC") and east["shift"] == "shifted"
    tiny = table.filter(pl.col("segment") == "tiny").row(0, named=True)
    assert tiny["n_labelled"] < MIN_SEGMENT_LABELLED and tiny["drop"] is None
    assert tiny["verdict"].startswith("too few rows") and tiny["shift"].startswith("too few rows")
    assert segments.worst(table)["segment"].to_list()[0] == "east"
    assert "tiny" not in segments.worst(table)["segment"].to_list()


def test_regressor_segments_match_sklearn_mae(lake) -> None:
    raw = _lake(lake, "regression")
    table = _table(lake)
    cur = raw.filter(pl.col("day").is_between(*CUR))
    for kind in ("team", "country"):
        for (seg,), g in cur.group_by(kind):
            row = table.filter((pl.col("segment_kind") == kind) & (pl.col("segment") == seg)).row(0, named=True)
            assert row["metric"] == "mae" and row["n_labelled"] == g.height
            assert row["value"] == pytest.approx(mean_absolute_error(g["label"], g["score"]), rel=1e-9)
    east = table.row(0, named=True)
    assert east["segment"] == "east" and east["drop"] > 5 and "times the model's" in east["verdict"]


def test_a_scoped_user_sees_no_segment_of_another_units_model(lake) -> None:
    _lake(lake, "classification", unit="retail")
    start, end = date(2026, 1, 1), date(2026, 3, 31)
    assert _table(lake, Scope(start, end, allowed_units=("finance",))).is_empty()
    assert not _table(lake, Scope(start, end, allowed_units=("retail",))).is_empty()
    # a filter asking for another unit gives the user's own units, never the other unit's rows
    assert _table(lake, Scope(start, end, business_units=("retail",), allowed_units=("finance",))).is_empty()


def test_hand_worked_auc_mae_and_minimum_count() -> None:
    # positives in bins 900 and 600, negatives in 100 and 600: pairs (900>100, 900>600, 600>100,
    # 600=600 counts one half) -> 3.5 / 4 = 0.875
    rows = pl.DataFrame({"label": [1.0, 1.0, 0.0, 0.0], "score_bin": [900, 600, 100, 600], "n": [1, 1, 1, 1],
                         "sum_abs_err": [0.0] * 4})
    assert segments.metric_of(rows, "classification") == (0.875, 4)
    # errors 1, 2 and 6 over 3 rows: MAE 3
    reg = pl.DataFrame({"label": [None] * 2, "score_bin": [None] * 2, "n": [2, 1], "sum_abs_err": [3.0, 6.0]})
    assert segments.metric_of(reg, "regression") == (3.0, 3)
    assert segments._verdict("auc", 0.6, MIN_SEGMENT_LABELLED - 1, None, 0.8).startswith("too few rows")
    assert segments._verdict("auc", 0.6, MIN_SEGMENT_LABELLED, 0.2, 0.8) == "AUC 0.200 below the model's"
    assert segments._verdict("auc", 0.78, MIN_SEGMENT_LABELLED, 0.02, 0.8) == "in line with the model"


def test_incremental_refreshes_give_what_one_refresh_gives(lake, tmp_path) -> None:
    whole = _lake(lake, "classification")
    once = _table(lake)
    root = tmp_path / "bit_by_bit"
    root.mkdir()
    inc = type(lake)(root)  # another lakehouse like the fixture's (a folder-local conftest may shadow "conftest")
    rows = _traffic("classification")
    inc.put("models", [{"model_id": "m", "name": "M", "business_unit": "retail", "stage": "production",
                        "task": "classification"}])
    # predictions arrive before the version is registered (no bins yet), then the rest, then late labels
    early = rows.filter(pl.col("prediction_at") < datetime(2026, 2, 1, tzinfo=UTC))
    inc.put("predictions", early.drop("label"))
    inc.refresh()
    inc.put("model_versions", [{"model_id": "m", "version": "1", "registered_at": START, "train_start_at": START,
                                "train_end_at": datetime(2026, 2, 1, 23, tzinfo=UTC)}])
    inc.put("predictions", rows.join(early, on="request_id", how="anti").drop("label"))
    inc.refresh()
    inc.put("outcomes", rows.select("request_id", "model_id", observed_at=pl.col("prediction_at") + timedelta(days=3),
                                    label="label"))
    inc.refresh()
    got = segments.segments(inc.con(), root=str(root), model_id="m", version="1", ref_start=REF[0], ref_end=REF[1],
                            cur_start=CUR[0], cur_end=CUR[1])
    assert whole.height and got.sort("segment_kind", "segment").equals(once.sort("segment_kind", "segment"))
