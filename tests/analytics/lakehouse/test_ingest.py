"""Ingestion: every malformed corpus file is rejected with a specific message and leaves the lakehouse
byte-identical; good files are loaded exactly (values checked against Python's own parsing)."""

from __future__ import annotations

import os
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from analytics.cli import main as cli
from analytics.errors import InputError, UnknownTableError
from analytics.governance import audit
from analytics.lakehouse import connection, ingest

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
sys.path.insert(0, str(CORPUS))
from lakehouse_tree import tree_hash  # noqa: E402
from make_corpus import EXPECTED  # noqa: E402


@pytest.fixture
def base(lake):
    lake.put("models", [
        {"model_id": "m1", "name": "Churn", "business_unit": "Retail", "stage": "production",
         "task": "classification"},
        {"model_id": "m2", "name": "Demand", "business_unit": "Supply", "stage": "pilot", "task": "regression"},
    ])
    lake.put("predictions", [{"prediction_at": datetime(2026, 3, 1, 9, tzinfo=UTC), "model_id": "m1",
                              "request_id": "r0", "score": 0.2}])
    return lake


def test_corpus_is_complete():
    on_disk = {p.name for p in CORPUS.iterdir() if p.suffix != ".py" and p.name != "__pycache__"}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_malformed_file_is_rejected_specifically_and_writes_nothing(base, name):
    table, fragment = EXPECTED[name]
    before = tree_hash(base.root)
    with pytest.raises(ingest.IngestError) as err:
        ingest.ingest(base.root, table, [CORPUS / name], actor="t")
    assert fragment in str(err.value), str(err.value)
    assert err.value.n_problems >= 1 and err.value.problems
    assert tree_hash(base.root) == before


@pytest.mark.parametrize("name", ["naive_timestamp.csv", "truncated.parquet", "score_out_of_range.csv"])
def test_cli_rejects_with_message_and_exit_2(base, name, capsys):
    before = tree_hash(base.root)
    rc = cli(["ingest", EXPECTED[name][0], str(CORPUS / name), "--lakehouse", str(base.root)])
    err = capsys.readouterr().err
    assert rc == 2
    assert EXPECTED[name][1] in err and "nothing" in err.lower()
    assert tree_hash(base.root) == before


def test_good_csv_is_loaded_exactly_with_timezones_converted(base, tmp_path):
    rows = [("2026-03-02T10:00:00Z", "m1", "a1", "0.25", "12.5"),
            ("2026-03-02 23:30:00+02:00", "m1", "a2", "1", ""),
            ("2026-04-01T00:00:00.123456-05:00", "m2", "a3", "42.0", "3")]
    f = tmp_path / "p.csv"
    f.write_text("prediction_at,model_id,request_id,score,latency_ms\n" + "\n".join(",".join(r) for r in rows) + "\n")
    rep = ingest.ingest(base.root, "predictions", [f], actor="alice", role="admin", page="ingest")
    assert rep.rows == 3
    assert {p.parent.name for p in rep.written} == {"month=2026-03", "month=2026-04"}
    got = connection.connect(base.root).sql(
        "select request_id, prediction_at, score, latency_ms from predictions where request_id like 'a%' "
        "order by request_id").fetchall()
    # oracle: Python's own ISO parser for the instants
    want = [(r[2], datetime.fromisoformat(r[0].replace("Z", "+00:00")).astimezone(UTC), float(r[3]),
             float(r[4]) if r[4] else None) for r in rows]
    assert [(a, b.astimezone(UTC), c, d) for a, b, c, d in got] == want


def test_ingest_records_one_audit_event(base, tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("model_id,name,business_unit,stage,task\nm3,New,Retail,pilot,regression\n")
    ingest.ingest(base.root, "models", [f], actor="alice", role="admin", page="ingest")
    log = audit.recent(connection.connect(base.root))
    assert log.select("actor", "role", "action", "target", "page").rows() == [("alice", "admin", "ingest", "models", "ingest")]
    assert "1 rows from m.csv" in log["detail"][0]


def test_parquet_with_offset_timezone_and_extra_rows_loads(base, tmp_path):
    tz = timezone(timedelta(hours=5, minutes=30))
    df = pl.DataFrame({"prediction_at": [datetime(2026, 3, 3, 12, tzinfo=tz)], "model_id": ["m2"],
                       "request_id": ["q1"], "score": [3.0]}).with_columns(
        pl.col("prediction_at").dt.convert_time_zone("Asia/Kolkata"))
    f = tmp_path / "p.parquet"
    df.write_parquet(f)
    ingest.ingest(base.root, "predictions", [f], actor="t")
    (at,) = connection.connect(base.root).sql("select prediction_at from predictions where request_id='q1'").fetchall()[0]
    assert at == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)


def test_all_or_nothing_across_files(base, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("prediction_at,model_id,request_id,score\n2026-03-02T10:00:00Z,m1,g1,0.5\n")
    before = tree_hash(base.root)
    with pytest.raises(ingest.IngestError, match="bad_number.csv, row 2"):
        ingest.ingest(base.root, "predictions", [good, CORPUS / "bad_number.csv"], actor="t")
    assert tree_hash(base.root) == before
    good2 = tmp_path / "good2.csv"
    good2.write_text("prediction_at,model_id,request_id,score\n2026-05-02T10:00:00Z,m1,g2,0.5\n")
    rep = ingest.ingest(base.root, "predictions", [good, good2], actor="t")
    assert rep.rows == 2 and len(rep.written) == 2


def test_duplicate_key_across_files_of_one_batch(base, tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for f in (a, b):
        f.write_text("prediction_at,model_id,request_id,score\n2026-03-02T10:00:00Z,m1,same,0.5\n")
    with pytest.raises(ingest.IngestError, match="duplicate key within the upload"):
        ingest.ingest(base.root, "predictions", [a, b], actor="t")


def test_failed_rename_rolls_back_every_file(base, tmp_path, monkeypatch):
    f = tmp_path / "two_months.csv"
    f.write_text("prediction_at,model_id,request_id,score\n2026-06-02T10:00:00Z,m1,x1,0.5\n"
                 "2026-07-02T10:00:00Z,m1,x2,0.5\n")
    before = tree_hash(base.root)
    real = os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        if "_staging" in str(src) and str(src).endswith(".parquet"):
            calls["n"] += 1
            if calls["n"] == 2:
                raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr(ingest.os, "replace", flaky)
    with pytest.raises(OSError):
        ingest.ingest(base.root, "predictions", [f], actor="t")
    assert calls["n"] == 2
    assert tree_hash(base.root) == before


def test_size_limit(base, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("prediction_at,model_id,request_id,score\n" + "2026-03-02T10:00:00Z,m1,r,0.5\n" * 100)
    with pytest.raises(ingest.IngestError, match="over the limit of 0.0 MB"):
        ingest.ingest(base.root, "predictions", [f], actor="t", max_bytes=1000)


def test_problems_are_capped_and_counted(base, tmp_path):
    f = tmp_path / "p.csv"
    f.write_text("prediction_at,model_id,request_id,score\n"
                 + "".join(f"2026-03-02T10:00:00,m1,n{i},0.5\n" for i in range(50)))
    with pytest.raises(ingest.IngestError) as err:
        ingest.ingest(base.root, "predictions", [f], actor="t")
    assert err.value.n_problems == 50 and len(err.value.problems) == ingest.MAX_PROBLEMS
    assert [p.row for p in err.value.problems] == list(range(1, 21))
    assert "and 30 more" in str(err.value)


def test_uploaded_bytes_and_dry_run(base):
    before = tree_hash(base.root)
    rep = ingest.ingest(base.root, "models", [("m.csv", b"model_id,name,business_unit,stage,task\n"
                                                          b"m5,X,Retail,pilot,regression\n")],
                        actor="t", dry_run=True)
    assert rep.rows == 1 and rep.written == ()
    assert tree_hash(base.root) == before


def test_list_and_bool_columns(lake, tmp_path):
    f = tmp_path / "d.csv"
    f.write_text("dataset_id,name,is_pii,regulations,retention_days\nd1,Customers,yes,GDPR; CCPA,30\n"
                 "d2,Stock,false,,\n")
    ingest.ingest(lake.root, "datasets", [f], actor="t")
    rows = lake.con().sql("select dataset_id, is_pii, regulations, retention_days from datasets order by 1").fetchall()
    assert rows == [("d1", True, ["GDPR", "CCPA"], 30), ("d2", False, None, None)] or \
        rows == [("d1", True, ["GDPR", "CCPA"], 30), ("d2", False, [], None)]


def test_ledger_dates(base, tmp_path):
    f = tmp_path / "l.csv"
    f.write_text("month,model_id,category,amount_usd,attribution,entered_at\n"
                 "2026-03-01,m1,cost_savings,1250.5,measured,2026-03-31T18:00:00Z\n")
    ingest.ingest(base.root, "value_ledger", [f], actor="t")
    assert base.con().sql("select month, amount_usd from value_ledger").fetchall() == [(date(2026, 3, 1), 1250.5)]


def test_bad_arguments_are_input_errors(base):
    with pytest.raises(UnknownTableError):
        ingest.ingest(base.root, "nope", [CORPUS / "empty.csv"], actor="t")
    with pytest.raises(InputError, match="No file given"):
        ingest.ingest(base.root, "models", [], actor="t")
    with pytest.raises(ingest.IngestError, match="cannot read the file"):
        ingest.ingest(base.root, "models", [base.root / "missing.csv"], actor="t")


def test_cli_loads_good_file(base, tmp_path, capsys):
    f = tmp_path / "m.csv"
    f.write_text("model_id,name,business_unit,stage,task\nm9,X,Retail,pilot,regression\n")
    assert cli(["ingest", "models", str(f), "--lakehouse", str(base.root)]) == 0
    assert "models: 1 rows from 1 file(s) loaded" in capsys.readouterr().out
    assert base.con().sql("select count(*) from models").fetchall() == [(3,)]
    assert base.con().sql("select actor from audit_log").fetchall()[0][0].startswith("cli:")


def test_the_audit_log_cannot_be_loaded_from_files(base, tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("event_id,event_at,actor,action\ne1,2026-03-01T00:00:00Z,ghost,ingest\n")
    before = tree_hash(base.root)
    with pytest.raises(InputError, match="written only by the app"):
        ingest.ingest(base.root, "audit_log", [f], actor="t")
    assert tree_hash(base.root) == before
    assert "audit_log" not in ingest.ingestible_tables()
