"""Rollups on Spark (``scaleboard refresh --engine spark``) equal the DuckDB rollups row for row, and
stay incremental: both engines share one state, so either finds nothing to do after the other.

The dialect translation is tested without Java; the engine tests need Java 17 and skip without it.
"""

from __future__ import annotations

import importlib.util
import runpy
import shlex
import shutil
import sys
import types
from datetime import date
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from polars.testing import assert_frame_equal

from analytics import sql
from analytics.cli import build_parser
from analytics.lakehouse import refresh, spark_engine, storage
from analytics.lakehouse.rollups import BY_NAME, ROLLUPS
from analytics.lakehouse.spark_engine import to_spark_sql

NEW_MONTH = "month=2026-10"  # held back, then added: "a month of new data"
JAVA_MISSING = "Java is absent: sudo apt-get install -y openjdk-17-jre-headless"


# ---------------------------------------------------------------- the dialect translation (no Java)

def test_translation_rewrites_each_duckdb_idiom() -> None:
    text = ("select cast(timezone('UTC', coalesce(a, (b))) as date) as d, x // 7 as w, "
            "cast(null as varchar) as v, date_diff('day', date '1970-01-05', s) as n -- timezone('UTC', y)\n"
            "from src where ($model_id is null or model_id = $model_id)")
    assert to_spark_sql(text) == (
        "select cast((coalesce(a, (b))) as date) as d, x  div  7 as w, "
        "cast(null as string) as v, datediff(DAY, date '1970-01-05', s) as n \n"
        "from src where (:model_id is null or model_id = :model_id)")


def test_every_rollup_query_translates() -> None:
    """No DuckDB-only idiom is left in any rollup's SQL after translation (the engine test then runs them)."""
    names = {r.sql_name for r in ROLLUPS if r.sql_name} | {"drift_values_features", "drift_values_predictions"}
    for name in sorted(names):
        text = to_spark_sql(sql.load(name)).lower()
        for duck_only in ("timezone(", "//", "$", "varchar", "date_diff('day'"):
            assert duck_only not in text, (name, duck_only)


# ---------------------------------------------------------------- comparing rollups

def rollup_frame(root: Path, name: str) -> pl.DataFrame:
    schema = BY_NAME[name].schema
    parts = refresh.live_parts(root, name)
    tables = [pq.read_table(p).select(schema.names).cast(schema) for p in parts] or [schema.empty_table()]
    return pl.from_arrow(pa.concat_tables(tables))


def assert_same_rows(a: pl.DataFrame, b: pl.DataFrame, name: str) -> None:
    """Equal row for row after sorting by every scalar column (floats rounded for the sort only,
    compared to 1e-9)."""
    scalar = [c for c, t in a.schema.items() if not isinstance(t, pl.List)]
    key = [pl.col(c).round(6) if a.schema[c] == pl.Float64 else pl.col(c) for c in scalar]
    assert a.height == b.height, f"{name}: {a.height} rows against {b.height}"
    assert_frame_equal(a.sort(key, nulls_last=True), b.sort(key, nulls_last=True), check_exact=False,
                       rel_tol=1e-9, abs_tol=1e-9, check_dtypes=True)


def test_the_comparison_can_fail() -> None:
    a = pl.DataFrame({"k": ["x", "y"], "v": [1.0, 2.0], "c": [[1, 2], [3, 4]]})
    assert_same_rows(a, a.reverse(), "same")
    with pytest.raises(AssertionError):
        assert_same_rows(a, a.with_columns(v=pl.Series([1.0, 2.0 + 1e-6])), "float")
    with pytest.raises(AssertionError):
        assert_same_rows(a, a.with_columns(c=pl.Series([[1, 2], [3, 5]])), "list")
    with pytest.raises(AssertionError):
        assert_same_rows(a, a.head(1), "rows")


# ---------------------------------------------------------------- the engine on a small demo lakehouse

@pytest.fixture(scope="module")
def engine():
    if shutil.which("java") is None:
        pytest.skip(JAVA_MISSING)
    from analytics.lakehouse.spark_engine import SparkEngine

    with SparkEngine("local[2]") as e:
        yield e


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The demo lakehouse without its last month, in two copies (DuckDB's, Spark's), and the held month."""
    from analytics import demo

    base = tmp_path_factory.mktemp("spark")
    src = base / "generated"
    demo.generate(src, seed=11, predictions=8_000, end=date(2026, 10, 31))
    held = base / "held"
    for month in sorted(src.glob(f"*/{NEW_MONTH}")):
        (held / month.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(month, held / month.relative_to(src))
    assert sorted(held.glob(f"predictions/{NEW_MONTH}/*.parquet")), "the demo wrote no prediction in the held month"
    duck, spark = base / "duck", base / "spark"
    shutil.copytree(src, duck)
    shutil.copytree(src, spark)
    return duck, spark, held


@pytest.mark.slow
def test_a_column_a_file_lacks_reads_as_null(engine, tmp_path: Path) -> None:
    """Files written before a column was declared still read (as DuckDB's views read them)."""
    schema = pa.schema([("model_id", pa.string()), ("score", pa.float64()), ("n", pa.int64())])
    pq.write_table(pa.table({"model_id": ["a"], "score": [0.5], "n": [3]}), tmp_path / "new.parquet")
    pq.write_table(pa.table({"n": [4], "model_id": ["b"]}), tmp_path / "old.parquet")  # no score, other order
    got = engine.frame(schema, tmp_path, ["new.parquet", "old.parquet"]).toArrow()
    assert got.schema.names == schema.names
    assert sorted(got.to_pylist(), key=lambda r: r["model_id"]) == [
        {"model_id": "a", "score": 0.5, "n": 3}, {"model_id": "b", "score": None, "n": 4}]


def _new_files(held: Path, table: str) -> set[str]:
    return {str(p.relative_to(held)) for p in storage.data_files(held / table)}


@pytest.mark.slow
def test_spark_rollups_equal_duckdb_and_stay_incremental(engine, lakes) -> None:
    duck, spark, held = lakes
    refresh.refresh(duck)
    first = refresh.refresh(spark, compute=engine.compute)
    assert all(rep.rows_written > 0 for rep in first), [(r.name, r.rows_written) for r in first]
    for r in ROLLUPS:
        assert_same_rows(rollup_frame(spark, r.name), rollup_frame(duck, r.name), r.name)

    # one state for both engines: DuckDB after Spark has nothing to read
    again = refresh.refresh(spark)
    assert [(r.new_files, r.rows_written, r.rebuilt) for r in again] == [(0, 0, False)] * len(ROLLUPS)

    # a month of new data arrives in both copies
    for lake in (duck, spark):
        shutil.copytree(held, lake, dirs_exist_ok=True)
    refresh.refresh(duck)
    engine.reads.clear()
    second = refresh.refresh(spark, compute=engine.compute)
    assert [rep.name for rep in second if rep.rebuilt] == [r.name for r in ROLLUPS if r.from_rollup]
    # the per-segment score profiles are made by DuckDB on the driver (spark_engine.SPARK_PROFILES)
    on_driver = {r.name for r in ROLLUPS if r.compute and r.name not in spark_engine.SPARK_PROFILES}
    for r in ROLLUPS:
        if r.from_rollup or r.name in on_driver:  # recomputed whole by design / not read by Spark
            continue
        got = [files for name, role, _, files in engine.reads if name == r.name and role == "src"]
        assert len(got) == 1, (r.name, [x[:3] for x in engine.reads if x[0] == r.name])
        read = {str(Path(f.removeprefix("file:").removeprefix("//")).relative_to(spark)) for f in got[0]}
        assert read == _new_files(held, r.source), r.name  # exactly the new month's files, nothing seen
        assert next(rep for rep in second if rep.name == r.name).new_files >= len(read)
    assert not [x for x in engine.reads if x[1] == "every"], "no version was frozen: no full re-read"
    for r in ROLLUPS:
        assert_same_rows(rollup_frame(spark, r.name), rollup_frame(duck, r.name), r.name)

    # and Spark after DuckDB has nothing to read either
    engine.reads.clear()
    after_duck = refresh.refresh(duck, compute=engine.compute)
    assert [(r.new_files, r.rows_written, r.rebuilt) for r in after_duck] == [(0, 0, False)] * len(ROLLUPS)
    assert engine.reads == []


# ---------------------------------------------------------------- spark-submit and the Airflow DAG

def test_the_spark_dag_submits_a_refresh_the_cli_accepts(monkeypatch) -> None:
    """The DAG's refresh task runs deploy/spark/refresh.py under spark-submit, and that entry hands the
    CLI a `refresh --engine spark` it parses (Airflow is not a dependency: a recorder stands in)."""
    project = Path(__file__).resolve().parents[3]
    tasks: list[dict] = []

    class Rec:
        def __init__(self, *a, **kw):
            if "task_id" in kw:
                tasks.append(kw)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def __rshift__(self, other):
            return other

    airflow = types.ModuleType("airflow")
    airflow.DAG = Rec
    bash = types.ModuleType("airflow.operators.bash")
    bash.BashOperator = Rec
    for name, mod in {"airflow": airflow, "airflow.operators": types.ModuleType("airflow.operators"),
                      "airflow.operators.bash": bash}.items():
        monkeypatch.setitem(sys.modules, name, mod)
    monkeypatch.setitem(sys.modules, "airflow.providers", None)  # Airflow 2 import path
    spec = importlib.util.spec_from_file_location("dag", project / "deploy/airflow/scaleboard_spark_dag.py")
    spec.loader.exec_module(importlib.util.module_from_spec(spec))
    refresh_cmd = next(t["bash_command"] for t in tasks if t["task_id"] == "refresh")
    argv = shlex.split(refresh_cmd.replace("{{ var.value.get('scaleboard_spark_master', 'local[*]') }}",
                                           "spark://h:7077").split("&&", 1)[1])
    assert argv[1:4] == [".venv/bin/spark-submit", "--master", "spark://h:7077"], argv
    entry = project / argv[4]
    assert entry == project / "deploy/spark/refresh.py" and entry.exists()
    called: list[list[str]] = []
    monkeypatch.setattr("analytics.cli.main", lambda a: called.append(a) or 0)
    monkeypatch.setattr(sys, "argv", [str(entry), "--lakehouse", "/lake", "--full"])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(entry), run_name="__main__")
    assert done.value.code == 0
    args = build_parser("refresh").parse_args(called[0])
    assert (args.command, args.engine, args.full, str(args.lakehouse)) == ("refresh", "spark", True, "/lake")
