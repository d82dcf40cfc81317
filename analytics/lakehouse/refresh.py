"""Keep the declared rollups (``analytics.lakehouse.rollups``) up to date, and register their views.

``refresh`` processes only source files it has not seen (tracked in ``_state.json``); when a
seen file disappears or changes (compaction, a rewrite) that rollup is rebuilt from scratch.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from analytics import sql
from analytics.lakehouse.rollups import BY_NAME, ROLLUPS, Rollup
from analytics.lakehouse.schema import table
from analytics.lakehouse.storage import (
    ROLLUPS_DIR,
    atomic_write_parquet,
    data_files,
    exclusive,
    new_part_name,
)
from analytics.lakehouse.views import new_connection, quote_ident, view_sql


def _view(schema: pa.Schema, files: list[Path]) -> str:
    """The SELECT over ``files`` with ``schema``'s columns, matched by name (see ``lakehouse.view_sql``)."""
    present: set[str] = set()
    for p in files:
        present.update(pq.read_schema(p).names)
    return view_sql(schema, files, present)


def _source(root: Path, r: Rollup) -> tuple[Path, pa.Schema]:
    """The folder and declared schema that ``r`` reads."""
    if r.from_rollup:
        return rollup_dir(root, r.source), BY_NAME[r.source].schema
    spec = table(r.source)
    return Path(root) / spec.name, spec.schema


def rollup_dir(root: Path, name: str) -> Path:
    return Path(root) / ROLLUPS_DIR / name


def register_views(con: duckdb.DuckDBPyConnection, root: Path) -> list[str]:
    """One view per rollup over its parts (empty, with the declared columns, when not built)."""
    problems = []
    for r in ROLLUPS:
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
    root = Path(root)
    reports = []
    with exclusive(root / ROLLUPS_DIR):
        for r in ROLLUPS:
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
            src_dir, src_schema = _source(root, r)
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
