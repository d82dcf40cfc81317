"""The lakehouse contract: views match the schema, writes are atomic, bad files are skipped."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analytics.errors import InputError, LakehouseError, UnknownTableError
from analytics.lakehouse import connection, storage
from analytics.lakehouse.schema import TABLES


def test_every_table_has_a_view_with_exactly_the_schema_columns(lake):
    con = lake.con()
    for name, spec in TABLES.items():
        cols = [r[0] for r in con.sql(f'describe select * from "{name}"').fetchall()]
        assert cols == spec.schema.names, name


def test_append_partitions_by_month_and_reads_back(lake):
    lake.put("predictions", [
        {"prediction_at": datetime(2025, 1, 31, 23, tzinfo=UTC), "model_id": "m", "request_id": "r1", "score": 0.5},
        {"prediction_at": datetime(2025, 2, 1, 1, tzinfo=UTC), "model_id": "m", "request_id": "r2", "score": 0.7},
    ])
    parts = sorted(p.parent.name for p in (lake.root / "predictions").rglob("*.parquet"))
    assert parts == ["month=2025-01", "month=2025-02"]
    got = lake.con().sql("select request_id, score from predictions order by request_id").fetchall()
    assert got == [("r1", 0.5), ("r2", 0.7)]


def test_missing_required_column_and_bad_cast_raise_input_error_and_write_nothing(lake):
    with pytest.raises(InputError, match="model_id"):
        lake.put("models", [{"name": "x"}])
    with pytest.raises(InputError, match="created_at"):
        lake.put("models", [{"model_id": "m", "name": "x", "business_unit": "b", "stage": "pilot",
                             "task": "regression", "created_at": "not a time"}])
    assert not list(lake.root.rglob("*.parquet"))


def test_unknown_table():
    with pytest.raises(UnknownTableError, match="Unknown table 'nope'"):
        storage.table_dir("/tmp", "nope")


def test_corrupt_file_is_skipped_and_reported(lake):
    lake.put("feedback", [{"submitted_at": datetime(2025, 1, 1, tzinfo=UTC), "model_id": "m", "rating": 4}])
    bad = lake.root / "feedback" / "part-broken.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    con = lake.con()
    assert con.sql("select count(*) from feedback").fetchall() == [(1,)]
    assert any("part-broken.parquet" in p for p in connection.problems(con))


def test_schema_evolution_by_name(lake):
    folder = lake.root / "feedback"
    folder.mkdir()
    # an old file without `comment`, with an extra column, and columns in another order
    pq.write_table(pa.table({"rating": pa.array([5], pa.int32()), "extra": ["x"], "model_id": ["m"],
                             "submitted_at": pa.array([datetime(2025, 1, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC"))}),
                   folder / "old.parquet")
    lake.put("feedback", [{"submitted_at": datetime(2025, 1, 2, tzinfo=UTC), "model_id": "m", "rating": 3,
                           "comment": "ok"}])
    rows = lake.con().sql("select rating, comment from feedback order by submitted_at").fetchall()
    assert rows == [(5, None), (3, "ok")]


def test_temporary_files_are_invisible(lake):
    lake.put("feedback", [{"submitted_at": datetime(2025, 1, 1, tzinfo=UTC), "model_id": "m", "rating": 4}])
    (lake.root / "feedback" / ".part-x.parquet.abc.tmp").write_bytes(b"half a file")
    assert lake.con().sql("select count(*) from feedback").fetchall() == [(1,)]


def test_root_that_is_a_file_is_a_clear_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(LakehouseError, match="not a folder"):
        connection.connect(f)


def test_version_changes_on_write(lake):
    v0 = storage.lakehouse_version(lake.root)
    lake.put("feedback", [{"submitted_at": datetime(2025, 1, 1, tzinfo=UTC), "model_id": "m", "rating": 4}])
    assert storage.lakehouse_version(lake.root) != v0
    assert storage.lakehouse_version(lake.root / "absent") == "absent"


def test_atomic_write_leaves_no_temp_file_on_failure(tmp_path):
    target = tmp_path / "t" / "x.parquet"
    with pytest.raises((ValueError, pa.ArrowException)):
        storage.atomic_write_parquet(pa.table({"a": [1]}), target, compression="no-such-codec")
    assert not target.exists()
    assert os.listdir(target.parent) == []


@pytest.mark.parametrize("second_order", [["submitted_at", "model_id", "rating"],
                                          ["rating", "model_id", "submitted_at"]])
def test_files_with_the_same_or_reordered_columns_read_by_name(lake, second_order):
    """Identical layouts are read positionally (faster to open); any difference falls back to by-name."""
    folder = lake.root / "feedback"
    folder.mkdir()
    first = {"submitted_at": pa.array([datetime(2025, 1, 1, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
             "model_id": ["m"], "rating": pa.array([5], pa.int32())}
    second = {"submitted_at": pa.array([datetime(2025, 1, 2, tzinfo=UTC)], pa.timestamp("us", tz="UTC")),
              "model_id": ["k"], "rating": pa.array([2], pa.int32())}
    pq.write_table(pa.table(first), folder / "a.parquet")
    pq.write_table(pa.table({c: second[c] for c in second_order}), folder / "b.parquet")
    rows = lake.con().sql("select model_id, rating from feedback order by submitted_at").fetchall()
    assert rows == [("m", 5), ("k", 2)]


def test_every_cursor_reads_timestamps_in_utc(lake):
    """The app takes one cursor per call: the time zone must hold for cursors, not only the session
    (a session setting is not inherited; dates would shift on a machine in another time zone)."""
    con = lake.con()
    for c in (con, con.cursor(), con.cursor().cursor()):
        assert c.sql("select current_setting('TimeZone')").fetchall() == [("UTC",)]
