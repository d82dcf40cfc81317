"""Incrementally maintained rollups: the only thing pages read at scale.

A rollup turns newly arrived files of one source table into a small Parquet part under
``<root>/_rollups/<name>/``. Parts are *mergeable* (counts, sums, sums of squares, min/max,
histogram counts), so a query re-aggregates over all parts and never needs the raw rows again.
``refresh`` processes only source files it has not seen (tracked in ``_state.json``); when a
seen file disappears or changes (compaction, a rewrite) that rollup is rebuilt from scratch.

Each module in this package declares ``ROLLUPS = [Rollup(...), ...]``; they are discovered.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.schema import table

Compute = Callable[[duckdb.DuckDBPyConnection, str, Path], pa.Table | pl.DataFrame]


@dataclass(frozen=True)
class Rollup:
    """A derived table kept up to date from one source table.

    Exactly one of ``sql_name`` (a query reading the view ``src``) or ``compute`` (a function of
    connection, source view name and lakehouse root) produces the part for the new files.

    With ``from_rollup`` the source is another rollup, and the rollup is recomputed whole, as one
    compact part, whenever that rollup's parts change: for condensed shapes that cannot be merged
    part by part (masks per user), read without any re-aggregation.

    With ``joins`` (another table) the rollup is a join of the two, kept incremental on both sides:
    the query also sees ``src_seen`` (source files already rolled up), ``joined`` (every file of the
    joined table) and ``joined_new`` (its new files), and adds ``src ⋈ joined`` and
    ``src_seen ⋈ joined_new``, so rows of either side that arrive late still meet their partner, once.
    """

    name: str
    source: str
    schema: pa.Schema
    grain: str
    sql_name: str | None = None
    compute: Compute | None = None
    from_rollup: bool = False
    joins: str | None = None


def all_rollups() -> list[Rollup]:
    found: list[Rollup] = []
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        found.extend(getattr(module, "ROLLUPS", []))
    names = [r.name for r in found]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise RuntimeError(f"Rollups declared twice: {sorted(dupes)}")
    by_name = {r.name: r for r in found}
    for r in found:
        if r.from_rollup and (r.source not in by_name or by_name[r.source].from_rollup):
            raise RuntimeError(f"Rollup {r.name} reads {r.source}, which is not a rollup over a table")
    # rollups over rollups last, so they see their source's new parts in the same refresh
    return sorted(found, key=lambda r: r.from_rollup)


def _view(schema: pa.Schema, files: list[Path]) -> str:
    """The SELECT over ``files`` with ``schema``'s columns, matched by name (see ``lakehouse.view_sql``)."""
    import pyarrow.parquet as pq

    from analytics.lakehouse import view_sql

    present: set[str] = set()
    for p in files:
        present.update(pq.read_schema(p).names)
    return view_sql(schema, files, present)


def _source(root: Path, r: Rollup, by_name: dict[str, Rollup]) -> tuple[Path, pa.Schema]:
    """The folder and declared schema that ``r`` reads (``by_name``: every declared rollup)."""
    if r.from_rollup:
        return rollup_dir(root, r.source), by_name[r.source].schema
    spec = table(r.source)
    return Path(root) / spec.name, spec.schema


def post_refresh_hooks() -> list[Callable[[Path], object]]:
    """Functions ``fn(root)`` run after a refresh (modules declare ``POST_REFRESH = [...]``),
    e.g. evaluating drift and writing alerts once per new window instead of on page loads."""
    hooks: list[Callable[[Path], object]] = []
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        hooks.extend(getattr(importlib.import_module(f"{__name__}.{mod.name}"), "POST_REFRESH", []))
    return hooks


def rollup_dir(root: Path, name: str) -> Path:
    return Path(root) / "_rollups" / name


def register_views(con: duckdb.DuckDBPyConnection, root: Path) -> list[str]:
    """One view per rollup over its parts (empty, with the declared columns, when not built)."""
    from analytics.lakehouse import data_files, quote_ident, view_sql

    problems = []
    for r in all_rollups():
        files = data_files(rollup_dir(root, r.name))
        # parts are written with exactly the declared columns (a changed declaration forces a rebuild)
        body = view_sql(r.schema, files, set(r.schema.names))
        try:
            con.sql(f"create or replace view {quote_ident(r.name)} as {body}")
            if files:
                con.sql(f"select * from {quote_ident(r.name)} limit 0").fetchall()
        except duckdb.Error as exc:
            problems.append(f"rollup {r.name} unreadable ({exc}); run `scaleboard refresh --full`")
            con.sql(f"create or replace view {quote_ident(r.name)} as {view_sql(r.schema, [], set())}")
    return problems


def _fingerprint(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns]


_SCHEMA_KEY = "__schema__"


def _schema_token(r: Rollup) -> str:
    return ",".join(f"{f.name}:{f.type}" for f in r.schema)


@dataclass(frozen=True)
class RefreshReport:
    name: str
    new_files: int
    rows_written: int
    rebuilt: bool
    seconds: float


def refresh(root: Path | str, *, full: bool = False, only: list[str] | None = None) -> list[RefreshReport]:
    """Bring every rollup up to date with its source table. Safe to run concurrently (file lock)."""
    from analytics.lakehouse import atomic_write_parquet, data_files, exclusive, new_connection, new_part_name

    root = Path(root)
    reports = []
    declared = all_rollups()
    by_name = {r.name: r for r in declared}
    with exclusive(root / "_rollups"):
        for r in declared:
            if only and r.name not in only:
                continue
            t0 = time.perf_counter()
            folder = rollup_dir(root, r.name)
            state_path = folder / "_state.json"
            state: dict[str, list[int]] = {}
            if state_path.exists() and not full:
                state = json.loads(state_path.read_text())
            # a rollup whose declared columns changed is rebuilt (its old parts lack the new columns)
            schema_changed = bool(state) and state.pop(_SCHEMA_KEY, None) != _schema_token(r)
            src_dir, src_schema = _source(root, r, by_name)
            src_files = data_files(src_dir)
            join_files = data_files(root / table(r.joins).name) if r.joins else []
            current = {str(p.relative_to(root)): _fingerprint(p) for p in src_files + join_files}
            rebuilt = full or schema_changed or any(current.get(k) != v for k, v in state.items())
            if r.from_rollup and current != state:  # recomputed whole from every source part
                rebuilt = True
            if rebuilt:
                shutil.rmtree(folder, ignore_errors=True)
                state = {}
            fresh = {root / k for k in current if k not in state}
            rows = 0
            if fresh:
                con = new_connection()
                con.sql(f"create view src as {_view(src_schema, [p for p in src_files if p in fresh])}")
                if r.joins:
                    join_schema = table(r.joins).schema
                    con.sql(f"create view src_seen as {_view(src_schema, [p for p in src_files if p not in fresh])}")
                    con.sql(f"create view joined as {_view(join_schema, join_files)}")
                    con.sql(f"create view joined_new as {_view(join_schema, [p for p in join_files if p in fresh])}")
                out = r.compute(con, "src", root) if r.compute else sql.run(con, r.sql_name or r.name)
                if isinstance(out, pl.DataFrame):
                    out = out.to_arrow()
                out = out.select(r.schema.names).cast(r.schema)
                if out.num_rows:
                    atomic_write_parquet(out, folder / new_part_name())
                rows = out.num_rows
                con.close()
                state = current  # every file is rolled up now (seen ones were unchanged, or we rebuilt)
                folder.mkdir(parents=True, exist_ok=True)
                tmp = state_path.with_suffix(".json.tmp")
                tmp.write_text(json.dumps({**state, _SCHEMA_KEY: _schema_token(r)}))
                tmp.replace(state_path)
            reports.append(RefreshReport(r.name, len(fresh), rows, rebuilt, time.perf_counter() - t0))
    return reports
