"""Ingest is all or nothing across a crash: a batch killed (SIGKILL) at any point of its publication is
visible whole or not at all, and a re-run or `scaleboard doctor --repair` finishes or rolls it back."""

from __future__ import annotations

import os
import signal
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from crashkit import run_and_kill as kill_at
from crashkit import start

from analytics.cli import main as cli
from analytics.lakehouse import connection, ingest, storage

pytestmark = pytest.mark.slow  # processes killed with SIGKILL at every stage: `make test` runs it, `make test-fast` does not

N = 3000  # rows over three month partitions, so the batch is three files


@pytest.fixture
def seeded(lake, tmp_path):
    lake.put("models", [{"model_id": "m1", "name": "Churn", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    start = datetime(2026, 6, 1, tzinfo=UTC)
    lines = ["prediction_at,model_id,request_id,score"]
    for i in range(N):
        at = start + timedelta(days=i * 90 / N)
        lines.append(f"{at:%Y-%m-%dT%H:%M:%S}Z,m1,req{i},{(i % 100) / 100}")
    f = tmp_path / "predictions.csv"
    f.write_text("\n".join(lines) + "\n")
    return lake, f


def visible(root) -> int:
    con = connection.connect(root, tables=["predictions"])
    try:
        return con.sql("select count(*) from predictions").fetchall()[0][0]
    finally:
        con.close()


def ingest_events(root) -> int:
    con = connection.connect(root, tables=["audit_log"])
    try:
        return con.sql("select count(*) from audit_log where action = 'ingest'").fetchall()[0][0]
    finally:
        con.close()


@pytest.mark.parametrize(("stage", "expected"), [
    ("staged", 0), ("prepared", 0), ("renamed 1", 0), ("renamed 2", 0), ("renamed 3", N), ("audited", N),
])
def test_a_killed_ingest_is_whole_or_absent_and_a_rerun_completes_it(seeded, stage, expected):
    lake, f = seeded
    args = ["ingest", "predictions", str(f), "--lakehouse", str(lake.root)]
    assert kill_at(args, stage) == "killed"
    assert visible(lake.root) == expected
    if stage != "staged":  # staged files are not yet a batch that could be published
        assert cli(["doctor", "--lakehouse", str(lake.root)]) == 1
    # the same command again: the interrupted batch is finished or rolled back, never loaded twice
    assert cli(args) == 0
    assert visible(lake.root) == N
    assert not (lake.root / ingest.STAGING).exists()
    assert ingest_events(lake.root) == 1
    con = connection.connect(lake.root, tables=["predictions"])
    assert con.sql("select count(distinct request_id) from predictions").fetchall()[0][0] == N


def test_doctor_repair_rolls_back_a_batch_that_never_became_visible(seeded, capsys):
    lake, f = seeded
    assert kill_at(["ingest", "predictions", str(f), "--lakehouse", str(lake.root)], "renamed 2") == "killed"
    capsys.readouterr()
    assert cli(["doctor", "--lakehouse", str(lake.root)]) == 1
    out = capsys.readouterr().out
    assert "interrupted ingest of predictions.csv into 'predictions'" in out and "--repair" in out
    assert cli(["doctor", "--repair", "--lakehouse", str(lake.root)]) == 0
    assert "rolled back" in capsys.readouterr().out
    assert visible(lake.root) == 0
    assert not list((lake.root / "predictions").rglob("*.parquet"))  # the two moved files are gone too
    assert not (lake.root / ingest.STAGING).exists()
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(lake.root)]) == 0  # not refused
    assert visible(lake.root) == N


def test_doctor_repair_finishes_a_batch_that_was_published_whole(seeded, capsys):
    lake, f = seeded
    assert kill_at(["ingest", "predictions", str(f), "--lakehouse", str(lake.root)], "renamed 3") == "killed"
    capsys.readouterr()
    assert cli(["doctor", "--repair", "--lakehouse", str(lake.root)]) == 0
    assert "was finished" in capsys.readouterr().out
    assert visible(lake.root) == N and ingest_events(lake.root) == 1
    assert not (lake.root / ingest.STAGING).exists()


def test_readers_see_a_slow_publication_whole_or_not_at_all(seeded, monkeypatch):
    """A reader sampling the row count while each rename of the batch takes 0.3 s."""
    lake, f = seeded
    real = os.replace

    def slow(src, dst):
        out = real(src, dst)
        if "_staging" in str(src) and str(src).endswith(".parquet"):
            time.sleep(0.3)
        return out

    monkeypatch.setattr(os, "replace", slow)
    samples: list[int] = []
    done = threading.Event()

    def reader():
        while not done.is_set():
            samples.append(visible(lake.root))

    t = threading.Thread(target=reader)
    t.start()
    try:
        ingest.ingest(lake.root, "predictions", [f], actor="t")
    finally:
        done.set()
        t.join()
    samples.append(visible(lake.root))
    assert set(samples) <= {0, N}, sorted(set(samples))
    assert samples[-1] == N and len(samples) > 5


def test_files_of_an_incomplete_batch_are_not_listed(tmp_path):
    folder = tmp_path / "predictions"
    for month in ("2026-01", "2026-02"):
        (folder / f"month={month}").mkdir(parents=True)
    a = folder / "month=2026-01" / storage.new_part_name(("0123456789ab", 2))
    a.write_bytes(b"")
    plain = folder / "month=2026-01" / storage.new_part_name()
    plain.write_bytes(b"")
    assert storage.data_files(folder) == [plain] or set(storage.data_files(folder)) == {plain}
    b = folder / "month=2026-02" / storage.new_part_name(("0123456789ab", 2))
    b.write_bytes(b"")
    assert set(storage.data_files(folder)) == {a, plain, b}


@pytest.mark.parametrize("kill_after", [0.4, 1.2])
def test_another_process_reads_whole_or_nothing_while_a_slowed_ingest_is_killed(seeded, kill_after):
    """The publish slowed by the environment hook (0.5 s after every step), a reader in this
    process, and a kill -9 at a moment the code under test does not choose: ``kill_after`` seconds
    after the batch was prepared, i.e. while its files are being moved."""
    lake, f = seeded
    proc = start(["ingest", "predictions", str(f), "--lakehouse", str(lake.root)], pause=0.5)
    samples, deadline = [], time.monotonic() + 60
    while not list((lake.root / ingest.STAGING).glob(f"*/{ingest.BATCH_FILE}")):
        assert time.monotonic() < deadline and proc.poll() is None
        samples.append(visible(lake.root))
    t0 = time.monotonic()
    while time.monotonic() - t0 < kill_after:
        samples.append(visible(lake.root))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    samples.append(visible(lake.root))
    assert set(samples) <= {0, N}, sorted(set(samples))
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(lake.root)]) == 0
    assert visible(lake.root) == N and ingest_events(lake.root) == 1
