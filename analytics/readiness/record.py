"""The readiness checklist's one write path: event-sourced items.

Every change to an item (status, owner, due date, evidence link, note, title, retired) is one row of
``checklist_events``; nothing is ever overwritten. An event only carries the fields it changes (the
others are null), and an item's state is, field by field, the latest non-null value (ordered by
``event_at`` then ``event_id``). So two people editing different fields of the same item at the
same moment both keep their edit, and the history shows both.

Writes go through ``record`` only: it validates every change first (``InputError``, nothing
written), then appends one new, uniquely named Parquet file atomically (``lakehouse.append``).
Readers deduplicate by ``event_id``, so ``compact`` can fold small files into one without readers
ever seeing an event twice.

Item ids: the seven default items below, custom items (``[a-z][a-z0-9_]*``), and template rows
(``tpl.<template_id>.<item>``; a template is a named list of items that can be applied).
"""

from __future__ import annotations

import logging
from dataclasses import fields
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics.errors import InputError
from analytics.lakehouse import storage, views
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import CHECKLIST_EVENTS
from analytics.readiness.compact import compact, live_files
from analytics.readiness.items import (
    BUILTIN_TEMPLATES,
    DEFAULTS,
    ITEM_ID,
    ITEM_IDS,
    MAX_TEXT_CHARS,
    TEMPLATE_PREFIX,
    Change,
    clean_text,
    event_table,
    slug,
    validate,
)
from analytics.readiness.state import state, templates

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- the one write path

def _connect_events(root: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection over the event log; retried when a concurrent compaction removed a file
    between listing and reading (the compacted file holds the same events). A damaged file (empty,
    truncated) is skipped and reported as a warning, never a reason to refuse every change: its
    events are lost to readers either way, and ``scaleboard doctor`` lists it."""
    for attempt in range(5):
        # only this table: the write path must not depend on rollups or other tables
        con = views.new_connection()
        for problem in views.register_table(con, locate(root), CHECKLIST_EVENTS.name):
            log.warning("%s; restore it from a backup or delete it (scaleboard doctor lists it)", problem)
        try:
            con.sql("select count(*) from checklist_events").fetchall()
            return con
        except duckdb.IOException:
            pass
        con.close()
        if attempt == 4:
            raise InputError("The checklist could not be read consistently; try again.")
    raise AssertionError("unreachable")

# Every change is one small file; reading thousands of them is slow (bench/results/checklist.md), so
# a write that finds more than this many files folds them (``compact``); None disables it.
AUTO_COMPACT_FILES: int | None = 200


def known_items(root: Path | str) -> set[str]:
    """Every item id with at least one event, plus the default items (retired ones included)."""
    con = _connect_events(root)
    try:
        ids = {r[0] for r in con.sql("select distinct item_id from checklist_events").fetchall()}
    finally:
        con.close()
    return ids | set(ITEM_IDS)


def record(root: Path | str, changes: Change | list[Change], *, actor: str,
           now: datetime | None = None, creating: bool = False) -> list[str]:
    """Validate every change, then append them as one new Parquet file; return the event ids.

    Raises ``InputError`` (and writes nothing) when any change or the actor is invalid.
    """
    changes = [changes] if isinstance(changes, Change) else list(changes)
    if not changes:
        return []
    actor = clean_text("name of the person making the change", actor or "", MAX_TEXT_CHARS, allow_empty=False)
    needs_lookup = creating or any(c.item_id not in DEFAULTS for c in changes)
    known = known_items(root) if needs_lookup else set(ITEM_IDS)
    valid = []
    for c in changes:
        valid.append(validate(c, known, creating=creating))
        if creating:
            known.add(c.item_id)
    rows = event_table(valid, actor=actor, now=now or datetime.now(UTC))
    storage.append(root, CHECKLIST_EVENTS.name, rows)
    folder = locate(root) / CHECKLIST_EVENTS.name
    if AUTO_COMPACT_FILES is not None and len(live_files(folder)) > AUTO_COMPACT_FILES:
        try:
            compact(root, blocking=False)  # another writer already compacting: leave it to them
        except (OSError, pa.ArrowException) as exc:  # a damaged file: the change is recorded anyway
            log.warning("Checklist compaction skipped: a file cannot be read (%s); run scaleboard doctor", exc)
    return rows.column("event_id").to_pylist()


def set_item(root: Path | str, item_id: str, *, actor: str, now: datetime | None = None,
             **fields_: object) -> str:
    """Change one item (status, owner, due_date, evidence_url, note, title, retired)."""
    unknown = set(fields_) - {f.name for f in fields(Change)}
    if unknown:
        raise InputError(f"Unknown field(s) {', '.join(sorted(unknown))} for a checklist change.")
    return record(root, Change(item_id, **fields_), actor=actor, now=now)[0]  # type: ignore[arg-type]


def add_item(root: Path | str, title: str, owner: str, *, actor: str, item_id: str | None = None,
             due_date: date | str | None = None, now: datetime | None = None) -> str:
    """Create a custom item (its id derived from the title unless given); returns the item id."""
    title = clean_text("title", title or "", MAX_TEXT_CHARS, allow_empty=False)
    iid = item_id or slug(title)
    record(root, Change(iid, title=title, owner=owner, status="not_started", due_date=due_date,
                        retired=False), actor=actor, now=now, creating=True)
    return iid


def retire_item(root: Path | str, item_id: str, *, actor: str, retired: bool = True,
                now: datetime | None = None) -> str:
    """Retire (hide from progress) or restore an item; the history stays."""
    return set_item(root, item_id, actor=actor, retired=retired, now=now)


def add_template(root: Path | str, template_id: str, items: list[tuple[str, str]], *, actor: str,
                 now: datetime | None = None) -> list[str]:
    """Save a custom template: ``items`` are (title, owner role) pairs."""
    if not ITEM_ID.match(template_id or "") or template_id in BUILTIN_TEMPLATES:
        raise InputError(f"'{template_id}' is not a usable template id: use 2-48 lower-case letters, digits "
                         "and underscores, not a built-in name.")
    if not items:
        raise InputError("A template needs at least one item (a title and an owner).")
    changes = [Change(f"{TEMPLATE_PREFIX}{template_id}.{slug(t)}", title=t, owner=o, retired=False)
               for t, o in items]
    return record(root, changes, actor=actor, now=now, creating=True)


def retire_template(root: Path | str, template_id: str, *, actor: str, now: datetime | None = None) -> int:
    """Retire every item of a custom template; returns how many rows were retired."""
    if template_id in BUILTIN_TEMPLATES:
        raise InputError(f"'{template_id}' is built in and cannot be retired.")
    prefix = f"{TEMPLATE_PREFIX}{template_id}."
    ids = sorted(i for i in known_items(root) if i.startswith(prefix))
    if not ids:
        raise InputError(f"No custom template called '{template_id}'.")
    record(root, [Change(i, retired=True) for i in ids], actor=actor, now=now)
    return len(ids)


def apply_template(root: Path | str, template_id: str, *, actor: str, now: datetime | None = None) -> list[str]:
    """Add the template's items that the checklist does not have yet (restores retired ones)."""
    con = _connect_events(root)
    try:
        tpl = templates(con).filter(pl.col("template_id") == template_id)
        current = state(con, include_retired=True)
    finally:
        con.close()
    if tpl.is_empty():
        raise InputError(f"No template called '{template_id}'.")
    have = dict(zip(current["item_id"], current["retired"], strict=True))
    new = [Change(r["item_id"], title=r["title"], owner=r["owner"], status="not_started", retired=False)
           for r in tpl.iter_rows(named=True) if r["item_id"] not in have]
    back = [Change(i, retired=False) for i in tpl["item_id"] if have.get(i)]
    if new:
        record(root, new, actor=actor, now=now, creating=True)
    if back:
        record(root, back, actor=actor, now=now)
    return [c.item_id for c in new + back]
