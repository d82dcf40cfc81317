"""A refresh never deletes what it cannot rebuild: unreadable source files are skipped and named,
rollups are swapped whole (readers never see them empty), and a refresh killed at any point leaves
the previous rollups readable and the next refresh green."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from crashkit import damage
from crashkit import run_and_kill as kill_at

from analytics.cli import main as cli
from analytics.lakehouse import connection, refresh, rollups, storage
from analytics.product import roi
from analytics.product.scope import Scope

pytestmark = pytest.mark.slow  # processes killed with SIGKILL at every stage: `make test` runs it, `make test-fast` does not

T0 = datetime(2026, 3, 2, tzinfo=UTC)
MONTHS = 3
PER_MONTH = 400


@pytest.fixture
def built(lake):
    lake.put("models", [{"model_id": "m1", "name": "Churn", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    for k in range(MONTHS):  # one file per month
        start = T0 + timedelta(days=31 * k)
        lake.put("predictions", [{"prediction_at": start + timedelta(minutes=i), "model_id": "m1", "version": "v1",
                                  "request_id": f"r{k}-{i}", "user_id": f"u{i % 7}", "score": (i % 10) / 10}
                                 for i in range(PER_MONTH)])
        lake.put("outcomes", [{"request_id": f"r{k}-{i}", "model_id": "m1", "observed_at": start + timedelta(days=1),
                               "label": float(i % 2)} for i in range(0, PER_MONTH, 2)])
        lake.put("usage_events", [{"event_at": start + timedelta(hours=i), "model_id": "m1", "user_id": f"u{i % 7}",
                                   "event_type": "invoke"} for i in range(50)])
    lake.put("value_ledger", [{"month": date(2026, 3 + k, 1), "model_id": "m1", "category": "incremental_revenue",
                               "amount_usd": 1000.0, "attribution": "estimated", "entered_at": T0}
                              for k in range(MONTHS)])
    assert cli(["refresh", "--lakehouse", str(lake.root)]) == 0
    return lake


def totals(root) -> dict[str, int]:
    """Rows per rollup, and the prediction count the daily rollup holds."""
    con = connection.connect(root)
    try:
        out = {r.name: con.sql(f'select count(*) from "{r.name}"').fetchall()[0][0] for r in rollups.ROLLUPS}
        out["predictions"] = con.sql("select coalesce(sum(n_predictions), 0) from rollup_predictions_daily"
                                     ).fetchall()[0][0]
        assert not [p for p in connection.problems(con) if p.startswith("rollup")]
        return out
    finally:
        con.close()


def runs(root) -> int:
    con = connection.connect(root)
    try:
        out = roi.revenue_per_run(con, Scope(date(2026, 3, 1), date(2026, 5, 31)))
        return int(out["n_runs"].sum())
    finally:
        con.close()


def test_a_truncated_predictions_file_keeps_its_rolled_up_rows_and_is_named(built, capsys):
    before = totals(built.root)
    assert before["predictions"] == MONTHS * PER_MONTH and runs(built.root) == MONTHS * PER_MONTH
    victim = storage.data_files(built.root / "predictions" / "month=2026-04")[0]
    damage(victim, "truncate")
    capsys.readouterr()
    assert cli(["refresh", "--lakehouse", str(built.root)]) == 0  # goes on
    out = capsys.readouterr().out
    assert victim.name in out and "restore" in out
    assert totals(built.root) == before  # nothing it cannot rebuild was deleted
    assert runs(built.root) == MONTHS * PER_MONTH
    assert cli(["doctor", "--lakehouse", str(built.root)]) == 1  # and the file stays listed
    assert f"unreadable file {victim.name}" in capsys.readouterr().out
    assert cli(["refresh", "--lakehouse", str(built.root)]) == 0  # and every later refresh too
    assert cli(["refresh", "--full", "--lakehouse", str(built.root)]) == 0
    assert totals(built.root) == before
    # deleting the file is the user's decision to drop its rows: then the rollups are rebuilt without it
    victim.unlink()
    assert cli(["refresh", "--lakehouse", str(built.root)]) == 0
    assert totals(built.root)["predictions"] == (MONTHS - 1) * PER_MONTH


def test_new_unreadable_files_are_skipped_and_the_others_rolled_up(built, capsys):
    built.put("predictions", [{"prediction_at": T0 + timedelta(days=100, minutes=i), "model_id": "m1",
                               "request_id": f"new{i}", "score": 0.5} for i in range(30)])
    bad_new = max(storage.data_files(built.root / "predictions"), key=lambda p: p.name)
    damage(bad_new, "page_header")  # the footer reads; DuckDB fails on a page
    built.put("predictions", [{"prediction_at": T0 + timedelta(days=40, minutes=i), "model_id": "m1",
                               "request_id": f"ok{i}", "score": 0.5} for i in range(20)])
    capsys.readouterr()
    assert cli(["refresh", "--lakehouse", str(built.root)]) == 0
    out = capsys.readouterr().out
    assert f"skipped unreadable file {bad_new.relative_to(built.root)}" in out
    assert totals(built.root)["predictions"] == MONTHS * PER_MONTH + 20


def test_readers_never_see_empty_rollups_during_a_full_refresh(built, monkeypatch):
    before = totals(built.root)
    real = refresh.atomic_write_parquet

    def slow(*a, **kw):  # a slow rebuild: readers get many chances to look in the middle
        time.sleep(0.15)
        return real(*a, **kw)

    monkeypatch.setattr(refresh, "atomic_write_parquet", slow)
    samples: list[dict] = []
    done = threading.Event()

    def reader():
        while not done.is_set():
            samples.append(totals(built.root))

    t = threading.Thread(target=reader)
    t.start()
    try:
        refresh.refresh(built.root, full=True)
    finally:
        done.set()
        t.join()
    assert len(samples) > 5
    assert all(s == before for s in samples), [s for s in samples if s != before][:2]
    assert totals(built.root) == before


@pytest.mark.parametrize("stage", [
    "part written rollup_predictions_daily", "committed rollup_predictions_daily",
    "part written drift_performance", "committed rollup_usage_user_activity"])
def test_a_killed_full_refresh_leaves_rollups_readable_and_the_next_refresh_green(built, stage):
    before = totals(built.root)
    assert kill_at(["refresh", "--full", "--lakehouse", str(built.root)], stage) == "killed"
    assert totals(built.root) == before
    # new data after the crash: the next refresh adds it exactly once
    built.put("predictions", [{"prediction_at": T0 + timedelta(days=5, minutes=i), "model_id": "m1",
                               "request_id": f"late{i}", "score": 0.5} for i in range(10)])
    assert cli(["refresh", "--lakehouse", str(built.root)]) == 0
    after = totals(built.root)
    assert after["predictions"] == MONTHS * PER_MONTH + 10
    # nothing a killed refresh left behind stays: each folder holds its manifest, state and named parts
    for r in rollups.ROLLUPS:
        folder = refresh.rollup_dir(built.root, r.name)
        names = {p.name for p in folder.iterdir()}
        assert not [n for n in names if n.endswith(storage.TMP_SUFFIX)], r.name
        assert {p.name for p in refresh.live_parts(built.root, r.name)} <= names
        assert len([n for n in names if n.startswith("_state")]) == 1, names


def test_incremental_refresh_killed_before_its_commit_does_not_count_twice(built):
    built.put("predictions", [{"prediction_at": T0 + timedelta(days=3, minutes=i), "model_id": "m1",
                               "request_id": f"x{i}", "score": 0.5} for i in range(25)])
    assert kill_at(["refresh", "--lakehouse", str(built.root)], "part written rollup_predictions_daily") == "killed"
    assert totals(built.root)["predictions"] == MONTHS * PER_MONTH  # the new part is not visible
    assert cli(["refresh", "--lakehouse", str(built.root)]) == 0
    assert totals(built.root)["predictions"] == MONTHS * PER_MONTH + 25  # once, not twice


def test_rollups_built_before_manifests_are_adopted_without_a_rebuild(built):
    """A lakehouse refreshed by an older version: parts and ``_state.json`` beside them, no manifest."""
    import json

    before = totals(built.root)
    for r in rollups.ROLLUPS:
        folder = refresh.rollup_dir(built.root, r.name)
        man = json.loads((folder / refresh.MANIFEST).read_text())
        state = json.loads((folder / man["state"]).read_text())
        (folder / refresh.LEGACY_STATE).write_text(json.dumps({**state, "__schema__": man["schema"]}))
        (folder / man["state"]).unlink()
        (folder / refresh.MANIFEST).unlink()
    assert totals(built.root) == before  # readers read the folder as before
    reports = refresh.refresh(built.root)
    assert not any(r.rebuilt or r.new_files for r in reports)
    assert totals(built.root) == before
    for r in rollups.ROLLUPS:
        folder = refresh.rollup_dir(built.root, r.name)
        assert (folder / refresh.MANIFEST).exists() and not (folder / refresh.LEGACY_STATE).exists()
