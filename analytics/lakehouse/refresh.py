"""Keep the declared rollups (``analytics.lakehouse.rollups``) up to date, and register their views.

Each rollup folder ``_rollups/<name>/`` holds Parquet parts and ``_manifest.json``::

    {"parts": [...], "state": "_state-<id>.json", "schema": "...", "retired": {part: unix time}}

Readers (``register_views``) read exactly the parts the manifest names. A refresh writes its new
part and a new state file (the source files rolled up, with size and mtime) *beside* the old ones,
then replaces the manifest atomically: that rename is the commit. So a reader, or a refresh killed
at any point, sees the previous rollup or the new one, never an empty or half one. Parts a rebuild
replaced stay on disk ``RETIRE_GRACE_S`` (a reader may have listed them) and are deleted by a later
refresh, as are files no manifest names (left by a killed refresh).

``refresh`` processes only source files it has not seen; when a seen file disappears or changes
(compaction, a rewrite) the rollup is rebuilt from scratch. A source file that cannot be read is
skipped and reported (and retried next time). A rebuild never drops rows it cannot rebuild: when a
file the rollup already holds cannot be read now, its old contribution is kept (new files are still
added), or, when a rebuild is unavoidable, the rollup is kept as it was and the report says why.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.lakehouse.objectstore import ObjectPath, locate, register
from analytics.lakehouse.rollups import BY_NAME, ROLLUPS, Rollup
from analytics.lakehouse.schema import table
from analytics.lakehouse.storage import (
    ROLLUPS_DIR,
    TMP_SUFFIX,
    atomic_write_parquet,
    check_file,
    checkpoint,
    data_files,
    exclusive,
    fsync_dir,
    new_part_name,
    read_schema,
)
from analytics.lakehouse.views import new_connection, quote_ident, view_sql

MANIFEST = "_manifest.json"
LEGACY_STATE = "_state.json"  # written before manifests: adopted by the next refresh
RETIRE_GRACE_S = 600.0
"""How long parts replaced by a rebuild stay readable (a connection opened before may still list them)."""


def _view(schema: pa.Schema, files: list[Path]) -> str:
    """The SELECT over ``files`` with ``schema``'s columns, matched by name (see ``lakehouse.view_sql``)."""
    present: set[str] = set()
    for p in files:
        present.update(read_schema(p).names)
    return view_sql(schema, files, present)


def rollup_dir(root: Path, name: str) -> Path:
    return locate(root) / ROLLUPS_DIR / name


def _read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        return None


def has_run(root: Path | str, name: str) -> bool:
    """Whether a refresh has built rollup ``name`` (even with no rows): an empty result then means no
    data, not a missing refresh."""
    folder = rollup_dir(root, name)
    return (folder / MANIFEST).exists() or (folder / LEGACY_STATE).exists()


def live_parts(root: Path, name: str) -> list[Path]:
    """The parts of rollup ``name`` that readers read (those its manifest names)."""
    folder = rollup_dir(root, name)
    man = _read_manifest(folder)
    if man is None:  # never built, or built before manifests: every part in the folder
        return data_files(folder)
    return [folder / p for p in man["parts"]]


def live_parts_by_rollup(root: Path) -> dict[str, list[Path]]:
    return {r.name: live_parts(root, r.name) for r in ROLLUPS}


def _source(root: Path, r: Rollup) -> tuple[list[Path], pa.Schema]:
    """The files and declared schema that ``r`` reads."""
    if r.from_rollup:
        return live_parts(root, r.source), BY_NAME[r.source].schema
    spec = table(r.source)
    return data_files(locate(root) / spec.name), spec.schema


def register_views(con: duckdb.DuckDBPyConnection, root: Path) -> list[str]:
    """One view per rollup over its live parts (empty, with the declared columns, when not built)."""
    problems = []
    root = locate(root)
    register(con, root)
    for r in ROLLUPS:
        files = live_parts(root, r.name)
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


def _schema_token(r: Rollup) -> str:
    return ",".join(f"{f.name}:{f.type}" for f in r.schema)


Compute = Callable[[Path, Rollup, pa.Schema, list[str], list[str], list[str], list[str]], pa.Table]
"""(root, rollup, source schema, new source files, seen source files, every joined file, new joined
files) -> the rollup's part; file names relative to root."""


@dataclass(frozen=True)
class RefreshReport:
    name: str
    new_files: int
    rows_written: int
    rebuilt: bool
    seconds: float
    problems: tuple[str, ...] = ()  # skipped files, or why the rollup was kept as it was
    kept: bool = False  # left as of the last refresh (a rebuild would have dropped rows)


def refresh(root: Path | str, *, full: bool = False, only: list[str] | None = None,
            compute: Compute | None = None) -> list[RefreshReport]:
    """Bring every rollup up to date with its source table. Safe to run concurrently (file lock)
    and to kill at any point (the previous rollups stay readable; the next refresh completes).

    ``compute`` makes a rollup's part from the new files (default: DuckDB, ``_compute``); another
    engine (``spark_engine.SparkEngine.compute``) plugs in here and shares the state and manifests."""
    root = locate(root)
    with exclusive(root / ROLLUPS_DIR):
        return [_refresh_one(root, r, full, compute or _compute) for r in ROLLUPS if not only or r.name in only]


def _unreadable(why: str, k: str) -> str:
    return (f"skipped unreadable file {k} ({why}); restore it from a backup, or delete it to drop its "
            "rows, then run `scaleboard refresh` (`scaleboard doctor` lists it)")


def _refresh_one(root: Path, r: Rollup, full: bool, compute: Compute) -> RefreshReport:
    t0 = time.perf_counter()
    folder = rollup_dir(root, r.name)
    man = _read_manifest(folder)
    legacy_parts = [p.name for p in data_files(folder)] if man is None else []
    if man is None and (folder / LEGACY_STATE).exists():  # adopt a rollup built before manifests
        saved = json.loads((folder / LEGACY_STATE).read_text())
        man = {"parts": legacy_parts, "schema": saved.pop("__schema__", None), "retired": {}}
        state: dict[str, list[int]] = saved
    else:
        state = json.loads((folder / man["state"]).read_text()) if man and man.get("state") else {}
    old_parts = man["parts"] if man else legacy_parts
    must_rebuild = full or bool(legacy_parts and man is None) or (man is not None and man.get("schema") != _schema_token(r))
    src_files, src_schema = _source(root, r)
    join_files = data_files(root / table(r.joins).name) if r.joins else []
    current: dict[str, list[int]] = {}
    for p in src_files + join_files:
        try:
            current[str(p.relative_to(root))] = _fingerprint(p)
        except FileNotFoundError:  # removed while listing: as if never listed
            continue
    changed = {k for k, v in state.items() if current.get(k) != v}
    must_rebuild = must_rebuild or bool(changed) or (r.from_rollup and current != state)
    src_keys = {str(p.relative_to(root)) for p in src_files}
    bad: dict[str, str] = {}
    checked: set[str] = set()
    while True:
        seen_bad = {k for k in bad if k in state}
        rebuild, keep = must_rebuild, set()
        if rebuild and seen_bad:
            forced = full or man is None or man.get("schema") != _schema_token(r) or r.from_rollup
            if forced or not changed <= seen_bad:  # a rebuild cannot be avoided, and would drop rows
                k = sorted(seen_bad)[0]
                return RefreshReport(r.name, 0, 0, False, time.perf_counter() - t0, (
                    f"kept as of the last refresh: it holds rows of {k}, which cannot be read now "
                    f"({bad[k]}), and a rebuild would drop them; restore the file, or delete it to drop "
                    "its rows, then run `scaleboard refresh`",), kept=True)
            rebuild, keep = False, seen_bad  # their old rows stay; new files are added
        to_read = [k for k in current if (rebuild or k not in state) and k not in bad]
        for k in to_read:  # footers first: cheap, and what truncation breaks
            if k not in checked:
                checked.add(k)
                try:
                    read_schema(root / k)
                except Exception as exc:  # pyarrow raises many types for damaged files
                    bad[k] = check_file(root / k) or f"{type(exc).__name__}: {exc}"
        if any(k in bad for k in to_read):
            continue
        try:
            out = compute(root, r, src_schema, [k for k in to_read if k in src_keys],
                           [k for k in state if k in src_keys and not rebuild and k not in bad],
                           [k for k in current if k not in src_keys and k not in bad],
                           [k for k in to_read if k not in src_keys])
            break
        except Exception:
            culprits = {k: why for k in to_read if (why := check_file(root / k))}  # every page, slow
            if not culprits:
                raise
            bad.update(culprits)
    problems = tuple(_unreadable(why, k) for k, why in sorted(bad.items()) if k not in keep) + tuple(
        f"kept the rows it already holds of {k}, which cannot be read now ({bad[k]}); restore the "
        "file, or delete it to drop its rows, then run `scaleboard refresh`" for k in sorted(keep))
    new_state = {k: v for k, v in current.items() if k not in bad} | {k: state[k] for k in keep}
    now = time.time()
    retired = dict(man.get("retired", {})) if man else {}
    expired = {p for p, at in retired.items() if now - at >= RETIRE_GRACE_S}
    if not to_read and not rebuild and new_state == state and man is not None and not expired \
            and (folder / MANIFEST).exists():  # nothing to commit; tidy what a killed run left
        _sweep(folder, keep={MANIFEST, man["state"], *man["parts"], *retired})
        return RefreshReport(r.name, 0, 0, False, time.perf_counter() - t0, problems)
    folder.mkdir(parents=True, exist_ok=True)
    added = []
    if out.num_rows:
        added = [new_part_name()]
        atomic_write_parquet(out, folder / added[0])
    checkpoint(f"part written {r.name}")
    if rebuild:
        retired.update({p: now for p in old_parts})
    parts = added if rebuild else old_parts + added
    state_name = f"_state-{uuid.uuid4().hex[:12]}.json"
    _write_json(folder / state_name, new_state)
    _write_json(folder / MANIFEST, {"parts": parts, "state": state_name, "schema": _schema_token(r),
                                    "retired": {p: at for p, at in retired.items() if p not in expired}})
    checkpoint(f"committed {r.name}")
    _sweep(folder, keep={MANIFEST, state_name, *parts, *(set(retired) - expired)})
    return RefreshReport(r.name, len(to_read), out.num_rows, rebuild, time.perf_counter() - t0, problems)


def _compute(root: Path, r: Rollup, src_schema: pa.Schema, src_new: list[str], src_seen: list[str],
             join_all: list[str], join_new: list[str]) -> pa.Table:
    """The rollup's part for the new source files (and, for a join, the new pairs on either side)."""
    if not src_new and not join_new:
        return pa.table({n: pa.array([], type=t) for n, t in zip(r.schema.names, r.schema.types, strict=True)})
    con = new_connection()
    register(con, root)
    try:
        con.sql(f"create view src as {_view(src_schema, [root / k for k in src_new])}")
        if r.joins:
            join_schema = table(r.joins).schema
            con.sql(f"create view src_seen as {_view(src_schema, [root / k for k in src_seen])}")
            con.sql(f"create view joined as {_view(join_schema, [root / k for k in join_all])}")
            con.sql(f"create view joined_new as {_view(join_schema, [root / k for k in join_new])}")
        out = r.compute(con, "src", root) if r.compute else sql.run(con, r.sql_name or r.name)
        if isinstance(out, pl.DataFrame):
            out = out.to_arrow()
        return out.select(r.schema.names).cast(r.schema)
    finally:
        con.close()


def _write_json(path: Path, payload: dict) -> None:
    if isinstance(path, ObjectPath):  # one put replaces the object whole
        path.write_text(json.dumps(payload))
        return
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")
    with open(tmp, "w") as fh:
        json.dump(payload, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _sweep(folder: Path, keep: set[str]) -> None:
    """Delete what the manifest no longer names: expired parts, old state files, a killed refresh's
    leftovers. Called under the refresh lock, so no writer is using them."""
    if isinstance(folder, ObjectPath):
        for key, info in folder.find().items():
            rel = key[len(folder.path) + 1:]
            if "/" not in rel and rel not in keep and info.get("type", "file") == "file":
                ObjectPath(folder.fs, key).unlink(missing_ok=True)
        return
    for f in os.listdir(folder):
        p = folder / f
        if f not in keep and p.is_file():
            p.unlink(missing_ok=True)
