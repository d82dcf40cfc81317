"""Concurrent writers, a killed writer and compaction under load (analytics.readiness.checklist)."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from analytics.lakehouse import connection, storage
from analytics.readiness import compact, items, record
from analytics.readiness import state as checklist_state

N_PROCS, N_EVENTS = 8, 100
PROJECT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _plain_main(monkeypatch):
    """Spawned children re-run the parent's ``__main__`` by path. In a pytest-xdist worker that has
    run an AppTest, ``__main__`` is app/main.py (Streamlit runs the script as ``__main__``), so each
    child would run the app and die. Children get a plain ``__main__`` instead."""
    import types

    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))


def _writer(root: str, p: int, gate=None, auto_compact: int | None = None) -> int:
    """Process p < 7 owns item ITEMS[p] (status and note); process 7 sets owners on every item.
    With a ``gate`` (an Event), each writer pauses half-way until the test has compacted once;
    ``auto_compact`` sets the writers' own compaction threshold (None: never)."""
    record.AUTO_COMPACT_FILES = auto_compact
    for i in range(N_EVENTS):
        if gate is not None and i == N_EVENTS // 2:
            gate.wait(300)
        if p < 7:
            record.set_item(root, items.ITEM_IDS[p], actor=f"proc{p}", status=items.STATUSES[(i + p) % 4],
                        note=f"p{p}-{i}")
        else:
            record.set_item(root, items.ITEM_IDS[i % 7], actor=f"proc{p}", owner=f"owner-{i}")
    return p


def _expected_owner(k: int) -> str:
    return f"owner-{max(i for i in range(N_EVENTS) if i % 7 == k)}"


def _run_writers(root: Path, gate=None, auto_compact: int | None = None):
    ctx = mp.get_context("spawn")
    pool = ctx.Pool(N_PROCS)
    return pool, pool.starmap_async(_writer, [(str(root), p, gate, auto_compact) for p in range(N_PROCS)])


def _check_final_state(root: Path) -> None:
    con = connection.connect(root)
    try:
        hist = checklist_state.history(con)
        state = checklist_state.state(con)
    finally:
        con.close()
    assert hist.height == N_PROCS * N_EVENTS
    assert hist["event_id"].n_unique() == N_PROCS * N_EVENTS
    assert sorted(hist["actor"].value_counts()["count"].to_list()) == [N_EVENTS] * N_PROCS
    for k, item in enumerate(items.ITEM_IDS):
        row = state.filter(item_id=item).row(0, named=True)
        # each field keeps the last edit of the process that wrote it: nobody's edit is lost
        assert row["status"] == items.STATUSES[(N_EVENTS - 1 + k) % 4], item
        assert row["note"] == f"p{k}-{N_EVENTS - 1}", item
        assert row["owner"] == _expected_owner(k), item


@pytest.mark.slow
def test_eight_processes_append_800_events(lake):
    pool, res = _run_writers(lake.root)
    try:
        assert sorted(res.get(timeout=600)) == list(range(N_PROCS))
    finally:
        pool.terminate()
        pool.join()
    assert len(storage.data_files(lake.root / "checklist_events")) == N_PROCS * N_EVENTS
    _check_final_state(lake.root)


@pytest.mark.slow
def test_compaction_during_concurrent_writes_loses_nothing(lake):
    """Compaction runs in a loop while 8 processes write (and compact themselves past 50 files);
    readers never see a count go down or an event twice, and at the end all 800 events are there
    with the expected state."""
    manager = mp.get_context("spawn").Manager()
    gate = manager.Event()
    pool, res = _run_writers(lake.root, gate, auto_compact=50)
    seen, compactions = 0, 0
    deadline = time.monotonic() + 600  # fail, never hang
    try:
        while not res.ready():
            assert time.monotonic() < deadline, "writers did not finish in 10 minutes"
            rep = compact.compact(lake.root)
            compactions += rep.path is not None
            if compactions:
                gate.set()  # some writers may still be busy with their first half meanwhile
            con = record._connect_events(lake.root)
            try:
                hist = checklist_state.history(con)
            finally:
                con.close()
            assert hist["event_id"].n_unique() == hist.height
            assert hist.height >= seen
            seen = hist.height
            time.sleep(0.05)
        res.get(timeout=600)
    finally:
        gate.set()  # never leave a writer parked at the gate
        pool.terminate()
        pool.join()
        manager.shutdown()
    assert compactions >= 1
    compact.compact(lake.root, grace_seconds=0)  # past the grace period: folded files are deleted
    assert len(storage.data_files(lake.root / "checklist_events")) == 1
    _check_final_state(lake.root)


KILLED_WRITER = textwrap.dedent("""
    import sys
    from datetime import UTC, datetime
    import pyarrow as pa
    from analytics.lakehouse import connection, storage
    from analytics.lakehouse.schema import CHECKLIST_EVENTS
    root, n = sys.argv[1], 1_500_000
    now = datetime.now(UTC)
    big = pa.table({"event_id": [f"big-{i}" for i in range(n)], "event_at": [now] * n,
                    "actor": ["bulk"] * n, "item_id": ["data_catalog"] * n,
                    "note": [f"note number {i} " * 4 for i in range(n)]})
    while True:
        storage.append(root, "checklist_events", big)
""")


@pytest.mark.slow
def test_killed_writer_leaves_no_partial_file_visible(lake):
    from analytics.readiness import record
    from analytics.readiness import state as checklist_state

    record.set_item(lake.root, "data_catalog", actor="before", status="in_progress")
    folder = lake.root / "checklist_events"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(lake.root)], cwd=PROJECT,
                            env={**os.environ, "PYTHONPATH": str(PROJECT)})
    try:
        deadline = time.time() + 240
        while time.time() < deadline:  # wait until a temporary file is being written, then kill
            tmp = [f for f in os.listdir(folder) if f.endswith(storage.TMP_SUFFIX)]
            if tmp and os.path.getsize(folder / tmp[0]) > 0:
                break
            time.sleep(0.01)
        else:
            pytest.fail("the writer never started a temporary file")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    leftovers = [f for f in os.listdir(folder) if f.endswith(storage.TMP_SUFFIX)]
    assert leftovers, "the kill should have left the partial temporary file behind"
    visible = storage.data_files(folder)
    assert all(not p.name.endswith(storage.TMP_SUFFIX) for p in visible)
    n_rows = sum(pq.read_table(p).num_rows for p in visible)  # every visible file is complete
    con = connection.connect(lake.root)
    try:
        assert connection.problems(con) == []
        hist = checklist_state.history(con)
        assert hist.height == n_rows
        assert "before" in hist["actor"].to_list()
        assert checklist_state.state(con).filter(item_id="data_catalog")["n_events"].item() == n_rows
    finally:
        con.close()
    # the leftover does not change the version token either (caches stay valid)
    v = storage.lakehouse_version(lake.root)
    (folder / leftovers[0]).unlink()
    assert storage.lakehouse_version(lake.root) == v
