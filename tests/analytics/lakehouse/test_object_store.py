"""The lakehouse on object storage, against a real S3-compatible server (moto in server mode on
127.0.0.1): the demo, refresh and the connection on s3:// equal the same lakehouse on a local folder;
8 writers x 100 appends lose nothing; the lease lock serialises writers and recovers from a holder
killed with SIGKILL; a writer killed mid-write leaves nothing visible."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

moto_server = pytest.importorskip("moto.server", reason="install the dev extras: uv sync (moto[server])")
boto3 = pytest.importorskip("boto3")

from analytics import demo, pipeline  # noqa: E402
from analytics.lakehouse import connection, storage  # noqa: E402
from analytics.lakehouse.objectstore import Lease, ObjectPath, locate  # noqa: E402
from analytics.lakehouse.rollups import ROLLUPS  # noqa: E402
from analytics.lakehouse.schema import TABLES  # noqa: E402

PROJECT = Path(__file__).resolve().parents[3]
PYTHON = sys.executable
SCALEBOARD = str(Path(sys.executable).parent / "scaleboard")
BUCKET = "scaleboard-test"
SEED, PREDICTIONS, END = 7, 2_000, "2026-10-31"

# a real S3 server and whole demo lakehouses: `make test` runs it, `make test-fast` does not
pytestmark = [pytest.mark.xdist_group("object_store"), pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_env():
    """A moto S3 server on a free local port, with dummy credentials in the environment (inherited
    by the subprocesses the tests start); yields the environment."""
    import s3fs

    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
            mp.delenv(k, raising=False)
        s3fs.S3FileSystem.clear_instance_cache()  # an instance bound to another server's endpoint
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield dict(os.environ)
        s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


@pytest.fixture
def url(s3_env) -> str:
    return f"s3://{BUCKET}/{uuid.uuid4().hex[:10]}"


def _keys(url: str) -> list[str]:
    """Every object under ``url``, listed by boto3 (independently of the code under test)."""
    bucket, _, prefix = url.removeprefix("s3://").partition("/")
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
    return [o["Key"][len(prefix) + 1:] for page in pages for o in page.get("Contents", [])]


def _fingerprint(con, name: str) -> tuple[int, int]:
    """Row count and an order-free hash of every row (column by column, so names and values count)."""
    return con.sql(f'select count(*), coalesce(sum(hash(t)), 0) from (select * from "{name}") t').fetchall()[0]


# ---------------------------------------------------------------- roots

def test_a_local_root_stays_a_path_and_a_url_becomes_an_object_path(s3_env, tmp_path):
    from analytics.cli.common import root_of
    from analytics.settings import load_settings

    assert locate(tmp_path) == tmp_path and isinstance(locate(str(tmp_path)), Path)
    assert locate(f"file://{tmp_path}") == tmp_path
    remote = load_settings({"SCALEBOARD_LAKEHOUSE": f"s3://{BUCKET}/a/b"}).lakehouse
    assert isinstance(remote, ObjectPath) and str(remote) == f"s3://{BUCKET}/a/b"
    assert str(remote / "predictions" / "x.parquet") == f"s3://{BUCKET}/a/b/predictions/x.parquet"
    import argparse

    assert str(root_of(argparse.Namespace(lakehouse=f"s3://{BUCKET}/c"))) == f"s3://{BUCKET}/c"
    assert load_settings({"SCALEBOARD_LAKEHOUSE": str(tmp_path)}).lakehouse == tmp_path.resolve()


# ---------------------------------------------------------------- the whole lakehouse

@pytest.fixture(scope="module")
def twin(s3_env, tmp_path_factory):
    """The same demo lakehouse twice: `scaleboard demo --out s3://…` (the CLI: generate, upload,
    refresh on the object store) and `demo.generate` + `pipeline.refresh` in a local folder."""
    url = f"s3://{BUCKET}/demo-{uuid.uuid4().hex[:8]}"
    cli = subprocess.run([SCALEBOARD, "demo", "--out", url, "--seed", str(SEED),
                          "--predictions", str(PREDICTIONS), "--end", END],
                         cwd=PROJECT, env=s3_env, capture_output=True, text=True, timeout=900)
    assert cli.returncode == 0, cli.stderr[-3000:]
    local = tmp_path_factory.mktemp("twin") / "lakehouse"
    summary = demo.generate(local, seed=SEED, predictions=PREDICTIONS, end=date.fromisoformat(END))
    assert not summary.extras_failed
    pipeline.refresh(local)
    return url, local


def test_demo_and_refresh_on_s3_equal_the_local_lakehouse(twin):
    url, local = twin
    keys = _keys(url)
    assert any(k.startswith("predictions/") and k.endswith(".parquet") for k in keys)
    assert any(k.startswith("_rollups/drift_profiles/") for k in keys), "rollups were not written to S3"
    assert not [k for k in keys if k.endswith((".tmp", ".lease"))], "a temporary file or lock was left"
    remote_con, local_con = connection.connect(url), connection.connect(local)
    assert connection.problems(remote_con) == [] == connection.problems(local_con)
    names = list(TABLES) + [r.name for r in ROLLUPS]
    assert {n: _fingerprint(remote_con, n)[0] for n in names} == {n: _fingerprint(local_con, n)[0] for n in names}
    # what the generator wrote is the same files: every row equal (refresh adds rows stamped "now")
    for name in ("models", "model_versions", "registry_events", "deployments", "predictions", "outcomes",
                 "features", "eligible_users", "usage_events", "feedback", "experiment_defs", "experiments",
                 "datasets", "lineage", "dataset_batches"):
        assert _fingerprint(remote_con, name) == _fingerprint(local_con, name), name
    for r in ROLLUPS:
        if r.name.startswith("rollup_"):  # pure aggregates of the data: equal row for row
            assert _fingerprint(remote_con, r.name) == _fingerprint(local_con, r.name), r.name
    assert remote_con.sql("select count(*) from rollup_predictions_daily").fetchall()[0][0] > 0


def test_refresh_on_s3_is_incremental_and_the_version_moves_with_writes(twin, s3_env):
    url, _local = twin
    again = subprocess.run([SCALEBOARD, "refresh", "--lakehouse", url],
                           cwd=PROJECT, env=s3_env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-3000:]
    from analytics.lakehouse import refresh as rollup_refresh

    before = storage.lakehouse_version(url)
    assert all(r.new_files == 0 and not r.rebuilt for r in rollup_refresh.refresh(url))
    assert storage.lakehouse_version(url) == before  # nothing new: nothing written, not even a lock
    con = connection.connect(url)
    n = con.sql("select count(*) from predictions").fetchall()[0][0]
    rows = con.sql("select * from predictions limit 10").arrow()
    storage.append(url, "predictions", rows.read_all() if hasattr(rows, "read_all") else rows)
    assert storage.lakehouse_version(url) != before
    reports = {r.name: r for r in rollup_refresh.refresh(url)}
    assert reports["rollup_predictions_daily"].new_files >= 1 and not reports["rollup_predictions_daily"].rebuilt
    assert connection.connect(url).sql("select count(*) from predictions").fetchall()[0][0] == n + 10


def test_the_overview_page_reads_the_lakehouse_on_s3(twin, monkeypatch):
    from apptest import signed_in

    url, local = twin
    seen = {}
    for where in (local, url):
        monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(where))
        at = signed_in("executive", timeout=300).run()
        assert not at.exception, at.exception
        assert not [e.value for e in at.error], [e.value for e in at.error]
        seen[str(where)] = {m.label: m.value for m in at.metric}
    assert seen[url] == seen[str(local)]
    assert seen[url]["Models in production"] not in ("0", "–")


# ---------------------------------------------------------------- concurrency

WRITER = """
import sys
from analytics.readiness import record
root, who = sys.argv[1], sys.argv[2]
ids = [record.set_item(root, "model_registry", actor=who, note=f"{who}-{i}") for i in range(int(sys.argv[3]))]
print(" ".join(ids))
"""


def test_eight_writers_times_hundred_appends_lose_nothing(url, s3_env):
    procs = [subprocess.Popen([PYTHON, "-c", WRITER, url, f"w{i}", "100"], cwd=PROJECT, env=s3_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    written = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err[-3000:]
        written += out.split()
    assert len(written) == 800 == len(set(written))
    con = connection.connect(url, tables=["checklist_events"])
    got = {r[0]: r[1] for r in con.sql("select event_id, note from checklist_events").fetchall()}
    assert set(written) <= set(got)
    assert sorted(n for n in got.values() if n) == sorted(f"w{i}-{j}" for i in range(8) for j in range(100))
    # the files really are objects on the server (200+ files fold into one: compaction ran on S3 too)
    assert [k for k in _keys(url) if k.startswith("checklist_events/") and k.endswith(".parquet")]


COUNTER = """
import sys, pyarrow as pa
from analytics.lakehouse import connection, storage
from analytics.lakehouse.objectstore import locate
root = locate(sys.argv[1])
for _ in range(int(sys.argv[2])):
    with storage.exclusive(root / "_locks" / "counter"):
        con = connection.connect(root, tables=["audit_log"])
        n = con.sql("select count(*) from audit_log").fetchall()[0][0]
        con.close()
        storage.append(root, "audit_log", pa.table({"event_id": [f"{sys.argv[3]}-{n}"],
            "event_at": pa.array([0], pa.timestamp("us", "UTC")), "actor": [sys.argv[3]],
            "action": ["count"], "target": [str(n + 1)]}))
"""


def test_the_lease_serialises_read_decide_append_across_processes(url, s3_env):
    procs = [subprocess.Popen([PYTHON, "-c", COUNTER, url, "15", f"p{i}"], cwd=PROJECT, env=s3_env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(8)]
    for p in procs:
        _out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err[-3000:]
    con = connection.connect(url, tables=["audit_log"])
    targets = sorted(int(r[0]) for r in con.sql("select target from audit_log").fetchall())
    assert targets == list(range(1, 121))  # without the lock two writers read the same count
    assert not [k for k in _keys(url) if k.endswith(".lease")], "a lease was left behind"


HOLDER = """
import sys, time
from analytics.lakehouse import storage
from analytics.lakehouse.objectstore import locate
with storage.exclusive(locate(sys.argv[1]) / "_rollups"):
    print("held", flush=True)
    time.sleep(600)
"""


def test_a_lock_holder_killed_with_sigkill_frees_the_lock_when_its_lease_expires(url, s3_env):
    env = s3_env | {"SCALEBOARD_LEASE_SECONDS": "3"}
    holder = subprocess.Popen([PYTHON, "-c", HOLDER, url], cwd=PROJECT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        lease_key = "_rollups/.lease"
        assert lease_key in _keys(url)
        time.sleep(5)  # longer than the lease: a live holder renews it, so it stays held
        assert not Lease(locate(url) / "_rollups" / ".lease", seconds=3).try_acquire()
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        killed_at = time.monotonic()
        assert lease_key in _keys(url)  # the dead holder's lease is still there...
        mine = Lease(locate(url) / "_rollups" / ".lease", seconds=3)
        assert not mine.try_acquire()  # ...and honoured until it expires
        assert mine.acquire(timeout=30)
        assert 0 < time.monotonic() - killed_at < 30
        body = json.loads(boto3.client("s3").get_object(
            Bucket=BUCKET, Key=url.split(f"{BUCKET}/")[1] + "/" + lease_key)["Body"].read())
        assert body["owner"] == mine.token
        mine.release()
        assert lease_key not in _keys(url)
    finally:
        holder.kill()
        holder.wait()


APPENDER = """
import os, sys, numpy as np, pyarrow as pa
from analytics.lakehouse import storage
rng = np.random.default_rng(int(sys.argv[2]))
n = int(sys.argv[3])
while True:  # incompressible parts of n rows, so a put takes a while: a kill lands mid-transfer
    storage.append(sys.argv[1], "audit_log", pa.table({
        "event_id": [os.urandom(24).hex() for _ in range(n)],
        "event_at": pa.array(np.zeros(n, dtype="int64"), pa.timestamp("us", "UTC")),
        "actor": ["w"] * n, "action": ["a"] * n, "target": rng.random(n).astype(str)}))
    print("appended", flush=True)
"""


def test_a_writer_killed_mid_write_leaves_nothing_visible(url, s3_env):
    rows = 60_000  # about 4 MB a part
    appended = 0
    for seed in range(3):
        p = subprocess.Popen([PYTHON, "-c", APPENDER, url, str(seed), str(rows)], cwd=PROJECT,
                             env=s3_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert p.stdout.readline().strip() == "appended"
        appended += 1
        time.sleep(random.uniform(0.2, 1.5))  # somewhere in a later part's build or put
        p.send_signal(signal.SIGKILL)
        out, _err = p.communicate()
        appended += out.split().count("appended")
    parts = storage.data_files(locate(url) / "audit_log")
    # a part is there whole (every page decodes) or not at all; at most one put in flight per kill
    assert all(storage.check_file(p) is None for p in parts), [storage.check_file(p) for p in parts]
    assert appended <= len(parts) <= appended + 3
    assert sorted(_keys(url)) == sorted(str(p.relative_to(locate(url))) for p in parts)
    con = connection.connect(url, tables=["audit_log"])
    assert connection.problems(con) == []
    assert con.sql("select count(*) from audit_log").fetchall()[0][0] == rows * len(parts)


REFRESH = """
import sys
from analytics.lakehouse import refresh
refresh.refresh(sys.argv[1], only=["rollup_predictions_daily"])
"""


def _day(d: int, n: int):
    import pyarrow as pa

    return pa.table({"prediction_at": pa.array([datetime(2026, 10, d, 12, tzinfo=UTC)] * n, pa.timestamp("us", "UTC")),
                     "model_id": ["m"] * n, "request_id": [f"{d}-{i}" for i in range(n)],
                     "score": [0.1 * i for i in range(n)]})


def test_a_refresh_killed_before_its_commit_leaves_the_last_rollup_and_its_lease_expires(url, s3_env, tmp_path):
    from analytics.lakehouse import refresh as rollup_refresh

    only = ["rollup_predictions_daily"]
    for root in (url, tmp_path):  # the local twin is the oracle
        storage.append(root, "predictions", _day(1, 3))
        rollup_refresh.refresh(root, only=only)
    before = _fingerprint(connection.connect(url), only[0])
    assert before == _fingerprint(connection.connect(tmp_path), only[0]) and before[0] > 0
    for root in (url, tmp_path):
        storage.append(root, "predictions", _day(2, 5))
    env = s3_env | {"SCALEBOARD_LEASE_SECONDS": "3", "SCALEBOARD_TEST_PAUSE_S": "600",
                    "SCALEBOARD_TEST_PAUSE_AT": "part written"}
    p = subprocess.Popen([PYTHON, "-c", REFRESH, url], cwd=PROJECT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        for line in p.stderr:
            if line.startswith("checkpoint part written"):
                break
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    folder = f"_rollups/{only[0]}/"
    manifest = json.loads(boto3.client("s3").get_object(
        Bucket=BUCKET, Key=url.split(f"{BUCKET}/")[1] + "/" + folder + "_manifest.json")["Body"].read())
    orphans = [k for k in _keys(url) if k.startswith(folder) and k.endswith(".parquet")
               and k[len(folder):] not in manifest["parts"]]
    assert orphans, "the killed refresh had written its part"
    assert _fingerprint(connection.connect(url), only[0]) == before  # ...which no reader sees
    assert "_rollups/.lease" in _keys(url)
    rollup_refresh.refresh(url, only=only)  # waits for the dead holder's lease to expire
    rollup_refresh.refresh(tmp_path, only=only)
    after = _fingerprint(connection.connect(url), only[0])
    assert after == _fingerprint(connection.connect(tmp_path), only[0]) and after != before
    assert not [k for k in _keys(url) if k in orphans or k.endswith(".lease")]
