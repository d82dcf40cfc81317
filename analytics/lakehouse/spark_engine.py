"""Rollups on Spark: ``scaleboard refresh --engine spark [--master URL]``.

The same declarations (``analytics.lakehouse.rollups``) and the same SQL files run through
``spark.sql``: ``to_spark_sql`` translates the few DuckDB idioms the rollup queries use, in one
place, so there is no second copy of any query. ``analytics.lakehouse.refresh`` still decides which
source files are new, writes the parts and commits the manifest: this module only computes a part,
so a DuckDB refresh after a Spark refresh finds nothing to do, and the other way round.

The drift profiles (rollups with a ``compute`` function) read their values through Spark and bin
them on the driver with the same code as the DuckDB engine (``drift.profiles.profiles_of``); freezing
a new version's bins reads its reference window through DuckDB, once per version.

pyspark is imported only when an engine is made, so nothing else pays for the JVM.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.drift import profiles as drift_profiles
from analytics.lakehouse.rollups import Rollup
from analytics.lakehouse.schema import table

# the Python rollups whose values Spark reads (then binned on the driver by the drift engine's code)
SPARK_PROFILES = ("drift_profiles", "drift_profiles_prediction")

_SPARK_TYPES = {pa.string(): "string", pa.float64(): "double", pa.int64(): "bigint", pa.int32(): "int",
                pa.bool_(): "boolean", pa.date32(): "date"}


def spark_type(t: pa.DataType) -> str:
    """Spark SQL type name for a pyarrow type used in the schemas (timestamps are instants: the
    session time zone is UTC, as DuckDB's)."""
    if pa.types.is_timestamp(t):
        return "timestamp" if t.tz else "timestamp_ntz"
    if pa.types.is_list(t):
        return f"array<{spark_type(t.value_type)}>"
    return _SPARK_TYPES[t]


def _unwrap_timezone(text: str) -> str:
    """``timezone('UTC', x)`` -> ``x``: Spark timestamps are instants shown in the session time
    zone, which is UTC, so the wall-clock conversion is the identity."""
    out, i = [], 0
    pat = re.compile(r"timezone\(\s*'UTC'\s*,", re.IGNORECASE)
    while m := pat.search(text, i):
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while depth:  # the argument ends at the parenthesis that closes timezone(
            if j == len(text):
                raise ValueError("unbalanced parentheses after timezone(")
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        out.append("(" + text[m.end():j - 1].strip() + ")")
        i = j
    return "".join(out) + text[i:]


_RULES: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"\bas\s+varchar\b", re.IGNORECASE), "as string"),  # Spark's varchar needs a length
    (re.compile(r"//"), " div "),  # integer division
    (re.compile(r"\bdate_diff\(\s*'day'\s*,", re.IGNORECASE), "datediff(DAY,"),  # unit is a keyword
    (re.compile(r"\$([A-Za-z_]\w*)\b"), r":\1"),  # bound parameters
)


_STRING_OR_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")


def to_spark_sql(text: str) -> str:
    """The DuckDB query ``text`` in Spark SQL. Covers what the rollup queries use (``group by all``,
    ``order by all``, ``count(*) filter (where ...)``, ``date_trunc('week', ...)``, ``bit_or``,
    ``<<`` are the same in both); comments are dropped first so a rule never rewrites prose."""
    body = _unwrap_timezone(_STRING_OR_COMMENT.sub(lambda m: "" if m.group().startswith("--") else m.group(), text))
    for pat, repl in _RULES:
        body = pat.sub(repl, body)
    return body


class SparkEngine:
    """Computes rollup parts with Spark; hand ``engine.compute`` to ``refresh.refresh``.

    ``reads`` lists every read as (rollup, role, file count, files Spark scanned), role being the
    view the query sees: src, src_seen, joined, joined_new or every (all files of the source, to
    profile a version whose bins were frozen in this run)."""

    def __init__(self, master: str | None = None, *, app_name: str = "scaleboard-refresh",
                 conf: dict[str, str] | None = None) -> None:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession

        sc = SparkConf()
        if master:
            sc.setMaster(master)
        elif not sc.contains("spark.master"):  # spark-submit sets the master; alone, run here
            sc.setMaster("local[*]")
        local = sc.get("spark.master", "").startswith("local")
        defaults = {"spark.sql.session.timeZone": "UTC", "spark.ui.enabled": "false",
                    "spark.ui.showConsoleProgress": "false", "spark.sql.ansi.enabled": "true"}
        if local:  # small shuffles on one machine, served on loopback only; the driver also bins profiles
            defaults |= {"spark.sql.shuffle.partitions": "8", "spark.driver.memory": "4g",
                         "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
        for k, v in (defaults | (conf or {})).items():
            if k not in {"spark.driver.memory"} or not sc.contains(k):
                sc.set(k, v)
        self.spark = SparkSession.builder.appName(app_name).config(conf=sc).getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        self.reads: list[tuple[str, str, int, list[str]]] = []

    def close(self) -> None:
        self.spark.stop()

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ reading files as the declared schema

    def frame(self, schema: pa.Schema, root: Path, keys: list[str], *, rollup: str = "", role: str = "") -> Any:
        """A DataFrame with exactly ``schema``'s columns over the files ``keys`` (relative to ``root``),
        matched by name; columns a file lacks read as typed nulls (as ``views.view_sql``)."""
        from pyspark.sql import functions as F  # noqa: N812

        ddl = ", ".join(f"`{f.name}` {spark_type(f.type)}" for f in schema)
        if not keys:
            return self.spark.createDataFrame([], ddl)
        # file: URLs, not as_uri(): Hadoop does not decode %3D back to the "=" of month=...
        paths = [f"file://{(root / k).resolve()}" for k in keys]
        # the declared schema, not an inferred one: no job to read every footer first, and a column a
        # file lacks reads as null (matched by name, as DuckDB's union_by_name)
        df = self.spark.read.schema(ddl).parquet(*paths)
        df = df.select([F.col(f"`{f.name}`").cast(spark_type(f.type)).alias(f.name) for f in schema])
        if rollup:
            self.reads.append((rollup, role, len(keys), sorted(df.inputFiles())))
        return df

    def run(self, name: str, **params: Any) -> pa.Table:
        """The named query (``analytics/sql``), translated, over the temp views registered now."""
        text = to_spark_sql(sql.load(name))
        bound = {k: v for k, v in params.items() if re.search(rf":{k}\b", text)}
        return self.spark.sql(text, args=bound or None).toArrow()

    # ------------------------------------------------------------ one rollup part (refresh's compute)

    def compute(self, root: Path, r: Rollup, src_schema: pa.Schema, src_new: list[str], src_seen: list[str],
                join_all: list[str], join_new: list[str]) -> pa.Table:
        """The part for the new source files, as ``refresh._compute`` makes it with DuckDB."""
        if not src_new and not join_new:
            return r.schema.empty_table()
        if r.compute and r.name not in SPARK_PROFILES:
            # a Python rollup Spark has no translation for (the per-segment score profiles): DuckDB
            # makes its part on the driver, from the same new files, under the same state
            from analytics.lakehouse import refresh

            return refresh._compute(root, r, src_schema, src_new, src_seen, join_all, join_new)
        self.frame(src_schema, root, src_new, rollup=r.name, role="src").createOrReplaceTempView("src")
        if r.joins:
            js = table(r.joins).schema
            self.frame(src_schema, root, src_seen, rollup=r.name, role="src_seen").createOrReplaceTempView("src_seen")
            self.frame(js, root, join_all, rollup=r.name, role="joined").createOrReplaceTempView("joined")
            self.frame(js, root, join_new, rollup=r.name, role="joined_new").createOrReplaceTempView("joined_new")
        out = self._profiles(root, r, src_schema, src_new) if r.compute else self.run(r.sql_name or r.name)
        return out.select(r.schema.names).cast(r.schema)

    def _profiles(self, root: Path, r: Rollup, src_schema: pa.Schema, src_new: list[str]) -> pa.Table:
        source = "features" if r.source == "features" else "predictions"
        query = drift_profiles.VALUE_QUERIES[source]
        cache: dict[bool, pl.DataFrame] = {}

        def values(model_id: str, every: bool) -> pl.DataFrame:
            if every not in cache:  # one Spark job per view, split by model on the driver
                if every:
                    from analytics.lakehouse.storage import data_files

                    keys = [str(p.relative_to(root)) for p in data_files(root / table(r.source).name)]
                    self.frame(src_schema, root, keys, rollup=r.name, role="every").createOrReplaceTempView("src")
                else:
                    self.frame(src_schema, root, src_new).createOrReplaceTempView("src")
                got = self.run(query, model_id=None, start_date=None, end_date=None)
                cache[every] = pl.from_arrow(got).with_columns(pl.col("day").cast(pl.Date))
            frame = cache[every]
            return frame.filter(pl.col("model_id") == model_id)

        return drift_profiles.profiles_of(root, source, values)
