"""Folding the checklist's many small event files into one, without readers ever seeing an event
twice or missing one."""

from __future__ import annotations

import contextlib
import fcntl
import json
import time as clock
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pyarrow as pa

from analytics.lakehouse import storage
from analytics.lakehouse.objectstore import ObjectPath, leased, locate
from analytics.lakehouse.schema import CHECKLIST_EVENTS

# ---------------------------------------------------------------- compaction

@dataclass(frozen=True)
class CompactReport:
    files_before: int
    events: int
    path: Path | None


COMPACT_GRACE_SECONDS = 120.0
"""How long folded files stay readable after a compaction (a reader may have listed them already)."""
_MANIFEST = "_compacted.json"


def _folded(folder: Path) -> dict[str, float]:
    """Files already folded into a compacted file, awaiting deletion: {file name: folded at}."""
    path = folder / _MANIFEST
    return json.loads(path.read_text()) if path.exists() else {}


def live_files(folder: Path) -> list[Path]:
    folded = _folded(folder)
    return [p for p in storage.data_files(folder) if p.name not in folded]


@contextlib.contextmanager
def _lock(folder, blocking: bool) -> Iterator[bool]:
    """The compaction lock: a flock on ``.compact.lock``, or on object storage the lease
    ``.compact.lease``; yields whether it is held (False only when not ``blocking``)."""
    if isinstance(folder, ObjectPath):
        with leased(folder / ".compact.lease", blocking=blocking) as got:
            yield got
        return
    with open(folder / ".compact.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True


def compact(root: Path | str, *, blocking: bool = True,
            grace_seconds: float = COMPACT_GRACE_SECONDS) -> CompactReport:
    """Fold the event files into one without changing state or history.

    Writes the compacted file under a new unique name; the files it folded are deleted only by a
    later compaction, ``grace_seconds`` after they were folded, because a reader that listed them a
    moment ago must still be able to read them. Until then readers see some events twice, which they
    ignore (dedup by ``event_id``). Files written meanwhile by other editors are left alone.
    Serialised by a lock; with ``blocking=False`` it returns at once (nothing done) when another
    compaction holds it.
    """
    folder = locate(root) / CHECKLIST_EVENTS.name
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder, blocking) as got:
        if not got:
            return CompactReport(0, 0, None)
        now = clock.time()
        folded = _folded(folder)
        for name, at in list(folded.items()):
            if now - at >= grace_seconds:
                (folder / name).unlink(missing_ok=True)
                del folded[name]
        files = [p for p in storage.data_files(folder) if p.name not in folded]
        path = None
        if len(files) >= 2:
            parts = [storage.conform(CHECKLIST_EVENTS, storage.read_table(p)) for p in files]
            merged = pl.from_arrow(pa.concat_tables(parts))
            merged = merged.unique("event_id", keep="first", maintain_order=True).sort(["event_at", "event_id"])
            path = storage.atomic_write_parquet(merged.to_arrow().cast(CHECKLIST_EVENTS.schema),
                                                  folder / storage.new_part_name())
            if grace_seconds <= 0:
                for p in files:
                    p.unlink(missing_ok=True)
            else:
                folded.update({p.name: now for p in files})
        if isinstance(folder, ObjectPath):  # one put replaces the object whole
            (folder / _MANIFEST).write_text(json.dumps(folded))
        else:
            tmp = folder / f"{_MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
            tmp.write_text(json.dumps(folded))
            tmp.replace(folder / _MANIFEST)
        n_events = merged.height if path else 0
        return CompactReport(len(files), n_events, path)
