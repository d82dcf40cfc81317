"""The lakehouse on disk: table folders of Parquet files, atomic writes (the one write path), locks,
and a cheap version token for cache invalidation.

Layout under the root::

    <table>/[<partition>=<value>/]part-<utc>-<uuid>.parquet   declared tables (analytics.lakehouse.schema)
    _rollups/<name>/…                                          derived, rebuilt by `scaleboard refresh`
    _config/…                                                  contracts and settings files
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analytics.errors import InputError
from analytics.lakehouse.schema import TABLES, Table, table

TMP_SUFFIX = ".tmp"
ROLLUPS_DIR = "_rollups"
CONFIG = "_config"


# ---------------------------------------------------------------- reading

def table_dir(root: Path, name: str) -> Path:
    return Path(root) / table(name).name


def data_files(folder: Path) -> list[Path]:
    """Parquet files under ``folder`` (recursively), never temporary or hidden ones."""
    if not folder.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
        out.extend(Path(dirpath) / f for f in sorted(filenames)
                   if f.endswith(".parquet") and not f.startswith((".", "_")))
    return out


def lakehouse_version(root: Path | str, *, exclude: tuple[str, ...] = ()) -> str:
    """A token that changes whenever any file in the lakehouse is added, removed or replaced
    (``exclude``: paths relative to the root that do not count).

    Cheap (a directory walk, no file reads): caches key on it so results refresh after writes.
    """
    root = Path(root)
    if not root.is_dir():
        return "absent"
    n, newest, size = 0, 0, 0
    skip = {str(root / e) for e in exclude}
    for dirpath, _dirnames, filenames in os.walk(root):
        for f in filenames:
            if f.endswith(TMP_SUFFIX) or os.path.join(dirpath, f) in skip:
                continue
            try:
                st = os.stat(os.path.join(dirpath, f))
            except FileNotFoundError:
                continue
            n += 1
            size += st.st_size
            newest = max(newest, st.st_mtime_ns)
    return f"{n}-{size}-{newest}"


def is_empty(root: Path | str) -> bool:
    return not any(data_files(Path(root) / name) for name in TABLES)


# ---------------------------------------------------------------- writing

def conform(spec: Table, data: pa.Table) -> pa.Table:
    """Cast ``data`` to the table's schema by column name; missing optional columns become null.

    Raises ``InputError`` naming the column when a required column is missing or a cast fails.
    """
    missing = [c for c in spec.required if c not in data.column_names]
    if missing:
        raise InputError(f"Table '{spec.name}': required column(s) missing: {', '.join(missing)}.")
    arrays = []
    for f in spec.schema:
        if f.name in data.column_names:
            col = data.column(f.name)
            try:
                col = col.cast(f.type) if col.type != f.type else col
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise InputError(f"Table '{spec.name}', column '{f.name}': cannot read as {f.type} ({exc}).") from exc
            arrays.append(col)
        else:
            arrays.append(pa.nulls(data.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=spec.schema)


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (created if missing) for a read-decide-append sequence,
    across threads and processes. The folder itself is locked (Linux flock works on directories), so
    no lock file is left behind to change the lakehouse version."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def new_part_name() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"part-{stamp}-{uuid.uuid4().hex[:12]}.parquet"


def atomic_write_parquet(data: pa.Table, path: Path, **kwargs) -> Path:
    """Write ``data`` to ``path`` so that readers see the whole file or nothing.

    Writes a temporary file in the same folder, fsyncs it, then renames it into place.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")
    try:
        pq.write_table(data, tmp, compression=kwargs.pop("compression", "zstd"), **kwargs)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def append(root: Path | str, name: str, data: pa.Table, *, partition: str | None = None) -> list[Path]:
    """Append rows to table ``name`` as new uniquely named Parquet file(s), atomically per file.

    Concurrent writers never collide (every file name is unique) and never overwrite each other.
    For tables with ``partition_by == "month"`` rows are split by the month of their first timestamp
    column unless ``partition`` is given.
    """
    spec = table(name)
    data = conform(spec, data)
    if data.num_rows == 0:
        return []
    folder = Path(root) / spec.name
    written: list[Path] = []
    if spec.partition_by == "month" and partition is None:
        ts_col = next(f.name for f in spec.schema if pa.types.is_timestamp(f.type))
        months = pc.strftime(data.column(ts_col), format="%Y-%m")
        for month in pc.unique(months).to_pylist():
            mask = pc.equal(months, month) if month is not None else pc.is_null(months)
            part = data.filter(mask)
            sub = folder / f"month={month or 'unknown'}"
            written.append(atomic_write_parquet(part, sub / new_part_name()))
    else:
        sub = folder / partition if partition else folder
        written.append(atomic_write_parquet(data, sub / new_part_name()))
    return written
