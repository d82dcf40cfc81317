"""Loading files as people have them: naive times with a zone, column mapping, wide features,
CSV dialects, mixed-case enums, a ledger without entered_at, models absent, a folder in one command.
Expected values are worked by hand (time-zone offsets from the published EU rules)."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from analytics.cli import main as cli
from analytics.lakehouse import ingest


def tree_hash(root) -> str:
    """Hash of every path and file's bytes under root: "nothing written" means this is unchanged."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        h.update(b"D" + os.path.relpath(dirpath, root).encode())
        for f in sorted(filenames):
            p = os.path.join(dirpath, f)
            h.update(b"F" + os.path.relpath(p, root).encode() + hashlib.sha256(Path(p).read_bytes()).digest())
    return h.hexdigest()

MODELS_CSV = "model_id,name,business_unit,stage,task\nm1,Churn,Retail,production,classification\n"


def rows(lake, sql: str) -> list[tuple]:
    con = lake.con()
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def write(path, text: str, *, bom: bool = False):
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


@pytest.fixture
def with_model(lake, tmp_path):
    assert cli(["ingest", "models", str(write(tmp_path / "models.csv", MODELS_CSV)), "--lakehouse",
                str(lake.root)]) == 0
    return lake


def test_naive_times_read_in_the_named_zone(with_model, tmp_path, capsys):
    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id,score\n"
                                  "a,2026-01-15 10:00,m1,0.1\n"      # winter: Lisbon = UTC
                                  "b,2026-07-01T10:00:00,m1,0.2\n"   # summer: UTC+1
                                  "c,2026-10-25 01:30:00,m1,0.3\n"   # ambiguous: the earlier (UTC+1)
                                  "d,2026-02-01,m1,0.4\n")            # a date: local midnight
    capsys.readouterr()
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root),
                "--timezone", "Europe/Lisbon"]) == 0
    out = capsys.readouterr().out
    assert "Europe/Lisbon" in out and "ambiguous time is the earlier one" in out
    got = dict(rows(with_model, "select request_id, prediction_at from predictions"))
    assert got == {"a": datetime(2026, 1, 15, 10, tzinfo=UTC), "b": datetime(2026, 7, 1, 9, tzinfo=UTC),
                   "c": datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "d": datetime(2026, 2, 1, tzinfo=UTC)}


def test_naive_times_without_zone_rejected_with_the_hint(with_model, tmp_path, capsys):
    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id,score\na,2026-01-15 10:00,m1,0.1\n")
    before = tree_hash(with_model.root)
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root)]) == 2
    err = capsys.readouterr().err
    assert "row 1, column 'prediction_at'" in err and "--timezone ZONE" in err
    assert tree_hash(with_model.root) == before


def test_time_that_does_not_exist_in_the_zone_is_refused(with_model, tmp_path, capsys):
    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id,score\n"
                                  "a,2026-03-29 00:30,m1,0.1\nb,2026-03-29 01:30,m1,0.1\n")
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root),
                "--timezone", "Europe/Lisbon"]) == 2
    assert "row 2, column 'prediction_at': this local time does not exist in Europe/Lisbon" in capsys.readouterr().err


def test_naive_parquet_as_pandas_writes_it(with_model, tmp_path):
    f = tmp_path / "p.parquet"
    pl.DataFrame({"request_id": ["a"], "prediction_at": [datetime(2026, 7, 1, 10)], "model_id": ["m1"],
                  "score": [0.5]}).write_parquet(f)
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root)]) == 2
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root),
                "--timezone", "America/New_York"]) == 0
    assert rows(with_model, "select prediction_at from predictions") == [(datetime(2026, 7, 1, 14, tzinfo=UTC),)]


def test_unknown_zone_is_an_input_error(with_model, tmp_path, capsys):
    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id\na,2026-01-15 10:00,m1\n")
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root), "--timezone", "Mars/Base"]) == 2
    assert "Unknown time zone 'Mars/Base'" in capsys.readouterr().err


def test_mapping_flags_file_and_preview(with_model, tmp_path, capsys):
    f = write(tmp_path / "raw.csv", "id,ts,mdl,p,junk\nx1,2026-01-15T10:00:00Z,m1,0.25,zz\n"
                                    "x2,2026-01-15T11:00:00Z,m1,0.75,zz\n")
    before = tree_hash(with_model.root)
    capsys.readouterr()
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root), "--map", "id=request_id",
                "--map", "ts=prediction_at", "--map", "mdl=model_id", "--map", "p=score", "--map", "junk=",
                "--preview"]) == 0
    out = capsys.readouterr().out
    assert "request_id" in out and "prediction_at" in out and "x2" in out and "junk" not in out
    assert "dry run, nothing written" in out and tree_hash(with_model.root) == before
    mapping = write(tmp_path / "map.yaml", "columns:\n  id: request_id\n  ts: prediction_at\n  mdl: model_id\n"
                                           "  p: score\n  junk:\n")
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root), "--mapping", str(mapping)]) == 0
    assert sorted(rows(with_model, "select request_id, score from predictions")) == [("x1", 0.25), ("x2", 0.75)]


def test_mapping_naming_an_absent_column_says_which(with_model, tmp_path, capsys):
    f = write(tmp_path / "raw.csv", "id,prediction_at,model_id\nx1,2026-01-15T10:00:00Z,m1\n")
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root), "--map", "rid=request_id"]) == 2
    assert "column 'rid': the mapping names this column but the file has no such column" in capsys.readouterr().err


def test_wide_features_become_long(with_model, tmp_path):
    f = write(tmp_path / "wide.csv", "rid,when,temp,hum,season\n"
                                     "r1,2026-01-15 10:00,0.24,0.81,winter\n"
                                     "r2,2026-01-15 11:00,0.22,0.80,Winter\n")
    assert cli(["ingest", "features", str(f), "--lakehouse", str(with_model.root), "--wide", "--id-column", "rid",
                "--time-column", "when", "--model", "m1", "--version", "v1", "--timezone", "UTC"]) == 0
    got = sorted(rows(with_model, "select request_id, feature, value_num, value_cat, model_id, version, feature_at "
                                  "from features"))
    t1, t2 = datetime(2026, 1, 15, 10, tzinfo=UTC), datetime(2026, 1, 15, 11, tzinfo=UTC)
    assert got == [("r1", "hum", 0.81, None, "m1", "v1", t1), ("r1", "season", None, "winter", "m1", "v1", t1),
                   ("r1", "temp", 0.24, None, "m1", "v1", t1), ("r2", "hum", 0.80, None, "m1", "v1", t2),
                   ("r2", "season", None, "Winter", "m1", "v1", t2), ("r2", "temp", 0.22, None, "m1", "v1", t2)]


def test_wide_errors_name_the_line_of_the_file(with_model, tmp_path, capsys):
    f = write(tmp_path / "wide.csv", "rid,when,temp\nr1,2026-01-15T10:00:00Z,1\nr2,yesterday,2\n")
    assert cli(["ingest", "features", str(f), "--lakehouse", str(with_model.root), "--wide", "--id-column", "rid",
                "--time-column", "when", "--model", "m1"]) == 2
    assert "wide.csv, row 2, column 'feature_at'" in capsys.readouterr().err


def test_semicolon_decimal_comma_bom_and_quotes(with_model, tmp_path):
    f = write(tmp_path / "p.csv", 'request_id;prediction_at;model_id;score;team\n'
                                  'a;2026-01-15T10:00:00Z;m1;0,25;"Sales; North"\n'
                                  'b;2026-01-15T11:00:00Z;m1;1;"He said ""hi"""\n', bom=True)
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(with_model.root)]) == 0
    assert sorted(rows(with_model, "select request_id, score, team from predictions")) == [
        ("a", 0.25, "Sales; North"), ("b", 1.0, 'He said "hi"')]


def test_enums_are_case_insensitive(with_model, tmp_path):
    f = write(tmp_path / "u.csv", "event_at,model_id,user_id,event_type\n2026-01-15T10:00:00Z,m1,u1,Invoke\n"
                                  "2026-01-15T10:01:00Z,m1,u1, ACCEPT\n")
    assert cli(["ingest", "usage_events", str(f), "--lakehouse", str(with_model.root)]) == 0
    assert sorted(rows(with_model, "select event_type from usage_events")) == [("accept",), ("invoke",)]


def test_ledger_entered_at_defaults_to_the_load_time(with_model, tmp_path):
    f = write(tmp_path / "l.csv", "month,model_id,category,amount_usd,attribution\n"
                                  "2026-01-01,m1,cost_savings,1000,measured\n")
    before = datetime.now(UTC)
    assert cli(["ingest", "value_ledger", str(f), "--lakehouse", str(with_model.root)]) == 0
    (entered,), = rows(with_model, "select entered_at from value_ledger")
    assert before <= entered <= datetime.now(UTC)


def test_unknown_models_rejected_with_the_command_then_registered(lake, tmp_path, capsys):
    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id,score\na,2026-01-15T10:00:00Z,bike,120.5\n"
                                  "b,2026-01-15T11:00:00Z,bike,80\n")
    before = tree_hash(lake.root)
    argv = ["ingest", "predictions", str(f), "--lakehouse", str(lake.root)]
    assert cli(argv) == 2
    err = capsys.readouterr().err
    assert f"hint: Register them from the file: scaleboard ingest predictions {f} --lakehouse {lake.root} " \
           "--register-models" in err
    assert tree_hash(lake.root) == before
    assert cli([*argv, "--register-models"]) == 0
    out = capsys.readouterr().out
    assert "registered 1 new model(s) from the files: bike (business unit 'unassigned', stage 'pilot', " \
           "task 'regression'" in out
    assert rows(lake, "select model_id, business_unit, stage, task from models") == [
        ("bike", "unassigned", "pilot", "regression")]
    assert rows(lake, "select count(*) from predictions") == [(2,)]


def test_registration_is_not_kept_when_the_rows_are_refused(lake, tmp_path):
    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id,score\na,2026-01-15T10:00:00Z,bike,x\n")
    before = tree_hash(lake.root)
    assert cli(["ingest", "predictions", str(f), "--lakehouse", str(lake.root), "--register-models"]) == 2
    assert tree_hash(lake.root) == before


def test_folder_in_dependency_order(lake, tmp_path, capsys):
    d = tmp_path / "drop"
    d.mkdir()
    write(d / "outcomes_jan.csv", "request_id,model_id,observed_at,label\na,m1,2026-01-16 10:00,1\n")
    write(d / "predictions.csv", "request_id,prediction_at,model_id,score\na,2026-01-15 10:00,m1,0.9\n")
    write(d / "models.csv", MODELS_CSV)
    capsys.readouterr()
    assert cli(["ingest", "--dir", str(d), "--lakehouse", str(lake.root), "--timezone", "UTC"]) == 0
    out = capsys.readouterr().out
    lines = [ln.split(":")[0] for ln in out.splitlines() if not ln.startswith(" ")]
    assert lines == ["models", "predictions", "outcomes"]
    assert rows(lake, "select label from outcomes") == [(1.0,)]


def test_folder_with_manifest_and_unknown_names(lake, tmp_path, capsys):
    d = tmp_path / "drop"
    d.mkdir()
    write(d / "inventory.csv", MODELS_CSV)
    write(d / "scores.csv", "rid,ts,model_id,score\na,2026-01-15T10:00:00Z,m1,0.9\n")
    assert cli(["ingest", "--dir", str(d), "--lakehouse", str(lake.root)]) == 2
    assert "Cannot tell the table of inventory.csv, scores.csv" in capsys.readouterr().err
    write(d / "manifest.yaml", "tables:\n  - table: predictions\n    files: [scores.csv]\n"
                               "    map: {rid: request_id, ts: prediction_at}\n"
                               "  - table: models\n    files: [inventory.csv]\n")
    assert [p.table for p in ingest.plan_folder(d)] == ["models", "predictions"]
    assert cli(["ingest", "--dir", str(d), "--lakehouse", str(lake.root)]) == 0
    assert rows(lake, "select request_id from predictions") == [("a",)]


def test_registration_is_removed_when_publishing_the_rows_fails(lake, tmp_path, monkeypatch):
    from analytics.lakehouse import storage

    f = write(tmp_path / "p.csv", "request_id,prediction_at,model_id,score\na,2026-01-15T10:00:00Z,bike,0.5\n"
                                  "b,2026-02-15T10:00:00Z,bike,0.5\n")
    before = tree_hash(lake.root)
    real = storage.checkpoint

    def fail_in_the_rows(stage: str) -> None:  # the models batch (1 file) is in place; the rows fail
        if stage == "moved 1 of 2":
            raise OSError("disk full")
        real(stage)

    monkeypatch.setattr(storage, "checkpoint", fail_in_the_rows)
    with pytest.raises(OSError):
        ingest.ingest(lake.root, "predictions", [f], actor="t", options=ingest.Options(register_models=True))
    assert tree_hash(lake.root) == before  # no model, no rows, no audit event
