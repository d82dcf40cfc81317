"""The readiness checklist: event-sourced items, their validation, and the one write path.

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

import fcntl
import json
import re
import time as clock
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from analytics import lakehouse, sql
from analytics.errors import InputError
from analytics.schema import CHECKLIST_EVENTS, CHECKLIST_STATUSES

STATUSES = CHECKLIST_STATUSES
MAX_NOTE_CHARS = 2000
MAX_TEXT_CHARS = 120  # titles, owners, actors
MAX_URL_CHARS = 500
TEMPLATE_PREFIX = "tpl."
_ID = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
PREV_DAYS = 30
# Every change is one small file; reading thousands of them is slow (bench/results/checklist.md), so
# a write that finds more than this many files folds them (``compact``); None disables it.
AUTO_COMPACT_FILES: int | None = 200


@dataclass(frozen=True)
class ItemSpec:
    item_id: str
    title: str
    owner: str  # the owner role
    description: str = ""


DEFAULT_ITEMS: tuple[ItemSpec, ...] = (
    ItemSpec("data_catalog", "Data Catalog", "Data Steward", "All datasets documented"),
    ItemSpec("governance_policy", "Governance Policy", "CDO", "Approved and disseminated"),
    ItemSpec("mlops_pipeline", "MLOps Pipeline", "Data Engineer", "CI/CD in place"),
    ItemSpec("model_registry", "Model Registry", "ML Ops Lead", "Versioned and searchable"),
    ItemSpec("monitoring_dashboards", "Monitoring Dashboards", "Data Scientist", "Alerts configured"),
    ItemSpec("training_sessions", "Training Sessions", "Learning & Development",
             "Completed for all stakeholders"),
    ItemSpec("roi_tracking", "ROI Tracking", "Product Manager", "Business impact metrics defined"),
)
DEFAULTS = {s.item_id: s for s in DEFAULT_ITEMS}
ITEM_IDS = tuple(DEFAULTS)

# Built-in templates (code); custom templates live in the event log as ``tpl.`` rows.
BUILTIN_TEMPLATES: dict[str, tuple[ItemSpec, ...]] = {
    "default": DEFAULT_ITEMS,
    "regulated": (
        ItemSpec("model_risk_validation", "Model Risk Validation", "Model Risk Officer",
                 "Independent validation signed off for high-risk models"),
        ItemSpec("fairness_audit", "Fairness Audit", "Compliance Officer",
                 "Disparate impact reviewed for models using sensitive attributes"),
        ItemSpec("data_retention", "Data Retention Policy", "Data Protection Officer",
                 "Retention and erasure processes documented"),
    ),
    "genai": (
        ItemSpec("prompt_logging", "Prompt and Output Logging", "ML Ops Lead", "Every call logged"),
        ItemSpec("red_teaming", "Red Teaming", "Data Scientist", "Adversarial tests before release"),
        ItemSpec("human_review", "Human Review", "Product Manager", "A person reviews high-impact outputs"),
    ),
}


@dataclass(frozen=True)
class Change:
    """One edit of one item. ``None`` means "unchanged"; ``""`` clears a text field or the due date."""

    item_id: str
    status: str | None = None
    owner: str | None = None
    due_date: date | str | None = None
    evidence_url: str | None = None
    note: str | None = None
    title: str | None = None
    retired: bool | None = None

    def changed(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)
                if f.name != "item_id" and getattr(self, f.name) is not None}


@dataclass(frozen=True)
class ReadinessSummary:
    """Readiness at a glance for the overview (active items only; retired items do not count)."""

    n_items: int
    n_done: int
    share_done: float | None  # n_done / n_items; None without items
    n_overdue: int  # due date passed and not done
    n_blocked: int
    n_disagreements: int  # marked done while the live evidence says otherwise
    prev_share_done: float | None  # share done as of PREV_DAYS days earlier, from the event history
    items: pl.DataFrame | None = field(default=None, compare=False, repr=False)  # ``state`` now


# ---------------------------------------------------------------- validation (pure)

def parse_due(value: date | datetime | str | None) -> date | None:
    """A due date from a date or ``YYYY-MM-DD`` text; raises ``InputError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value).strip()
        try:
            parsed = date.fromisoformat(text)
        except ValueError:
            raise InputError(f"Due date '{text}' is not a valid date; write it as YYYY-MM-DD, "
                             "e.g. 2026-12-31.") from None
    if not 2000 <= parsed.year <= 2100:
        raise InputError(f"Due date {parsed} is out of range; use a year between 2000 and 2100.")
    return parsed


def _text(label: str, value: str, limit: int, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise InputError(f"The {label} must be text, got {type(value).__name__}.")
    value = value.strip()
    if not value and not allow_empty:
        raise InputError(f"The {label} cannot be empty.")
    if len(value) > limit:
        raise InputError(f"The {label} is {len(value):,} characters long; the limit is {limit:,}. "
                         "Shorten it and try again.")
    return value


def validate(change: Change, known: Iterable[str], *, creating: bool = False) -> Change:
    """The change, normalised; raises ``InputError`` naming what is wrong (nothing is written).

    ``known`` are the existing item ids; ``creating`` allows a new custom or template item id.
    """
    item = change.item_id
    known = set(known)
    if creating:
        if item in known or item in DEFAULTS:
            raise InputError(f"An item with the id '{item}' already exists; pick another title or id.")
        bare = item.split(".")[-1] if item.startswith(TEMPLATE_PREFIX) else item
        if not _ID.match(bare):
            raise InputError(f"'{bare}' is not a valid item id: use 2-48 lower-case letters, digits "
                             "and underscores, starting with a letter.")
    elif item not in known:
        shown = ", ".join(sorted(k for k in known if not k.startswith(TEMPLATE_PREFIX))) or "none"
        raise InputError(f"Unknown checklist item '{item}'. Known items: {shown}. "
                         "Add a custom item first if you meant a new one.")
    if change.status is not None and change.status not in STATUSES:
        raise InputError(f"Status '{change.status}' is not one of: {', '.join(STATUSES)}.")
    clear_due = isinstance(change.due_date, str) and not change.due_date.strip()
    out = replace(change, due_date="" if clear_due else parse_due(change.due_date))
    if change.owner is not None:
        out = replace(out, owner=_text("owner", change.owner, MAX_TEXT_CHARS, allow_empty=False))
    if change.title is not None:
        out = replace(out, title=_text("title", change.title, MAX_TEXT_CHARS, allow_empty=False))
    if change.note is not None:
        out = replace(out, note=_text("note", change.note, MAX_NOTE_CHARS))
    if change.evidence_url is not None:
        url = _text("evidence link", change.evidence_url, MAX_URL_CHARS)
        if url and not re.match(r"^https?://\S+$", url):
            raise InputError(f"The evidence link '{url[:80]}' must be a web address starting with "
                             "http:// or https://.")
        out = replace(out, evidence_url=url)
    if change.retired is not None and not isinstance(change.retired, bool):
        raise InputError("'retired' must be true or false.")
    if not out.changed():
        raise InputError(f"Nothing to change for '{item}': give a status, owner, due date, "
                         "evidence link, note or title.")
    return out


def slug(title: str) -> str:
    """An item id derived from a title ("Fairness Audit" -> "fairness_audit")."""
    s = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    s = s if s[:1].isalpha() else f"item_{s}"
    return s[:48]


def event_table(changes: list[Change], *, actor: str, now: datetime) -> pa.Table:
    """The rows for validated ``changes`` (all stamped ``now``, in order)."""
    rows = []
    for i, c in enumerate(changes):
        # event ids sort in write order within one call, unique across writers
        rows.append({"event_id": f"{now:%Y%m%dT%H%M%S%f}-{i:04d}-{uuid.uuid4().hex[:12]}", "event_at": now,
                     "actor": actor, "item_id": c.item_id, "title": c.title, "status": c.status,
                     "owner": c.owner, "due_date": c.due_date or None, "evidence_url": c.evidence_url,
                     "note": c.note, "retired": c.retired,
                     "cleared": ["due_date"] if c.due_date == "" else None})
    return pa.Table.from_pylist(rows, schema=CHECKLIST_EVENTS.schema)


# ---------------------------------------------------------------- reading

def _end_of(as_of: date | None) -> datetime:
    day = as_of or datetime.now(UTC).date()
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def history(con: duckdb.DuckDBPyConnection, item_id: str | None = None, *,
            as_of: date | None = None) -> pl.DataFrame:
    """Events (deduplicated by ``event_id``), oldest first; one item's or all (templates too)."""
    return sql.run(con, "checklist_log", item_id=item_id, as_of_end=_end_of(as_of))


def _fold(con: duckdb.DuckDBPyConnection, as_of: date | None) -> pl.DataFrame:
    return sql.run(con, "checklist_fold", item_id=None, as_of_end=_end_of(as_of))


def state(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None,
          include_retired: bool = False) -> pl.DataFrame:
    """Current state, one row per item (defaults first, then custom items by creation).

    Columns: item_id, title, owner, status, due_date, evidence_url, note, retired, is_custom,
    updated_at, updated_by, n_events, is_overdue (due date before ``as_of``, default today, and
    not done).
    """
    today = as_of or datetime.now(UTC).date()
    folded = _fold(con, as_of).filter(~pl.col("item_id").str.starts_with(TEMPLATE_PREFIX))
    base = pl.DataFrame({"item_id": [s.item_id for s in DEFAULT_ITEMS],
                         "d_title": [s.title for s in DEFAULT_ITEMS],
                         "d_owner": [s.owner for s in DEFAULT_ITEMS],
                         "d_order": list(range(len(DEFAULT_ITEMS)))})
    out = (base.join(folded, on="item_id", how="full", coalesce=True)
           .with_columns(
               title=pl.coalesce("title", "d_title", "item_id"),
               owner=pl.coalesce("owner", "d_owner", pl.lit("unassigned")),
               status=pl.coalesce("status", pl.lit("not_started")),
               retired=pl.coalesce("retired", pl.lit(False)),
               is_custom=pl.col("d_order").is_null(),
               n_events=pl.coalesce("n_events", pl.lit(0)).cast(pl.Int64),
           )
           .with_columns(is_overdue=(pl.col("due_date") < pl.lit(today)).fill_null(False)
                         & (pl.col("status") != "done") & ~pl.col("retired"))
           .sort(["d_order", "created_at"], nulls_last=True)
           .select("item_id", "title", "owner", "status", "due_date", "evidence_url", "note", "retired",
                   "is_custom", "updated_at", "updated_by", "n_events", "is_overdue"))
    return out if include_retired else out.filter(~pl.col("retired"))


def templates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Templates and their items: template_id, item_id, title, owner, is_builtin (active only)."""
    rows = [{"template_id": t, "item_id": s.item_id, "title": s.title, "owner": s.owner, "is_builtin": True}
            for t, items in BUILTIN_TEMPLATES.items() for s in items]
    custom = (_fold(con, None).filter(pl.col("item_id").str.starts_with(TEMPLATE_PREFIX)
                                      & ~pl.col("retired").fill_null(False)))
    for r in custom.iter_rows(named=True):
        _, tid, iid = r["item_id"].split(".", 2)
        rows.append({"template_id": tid, "item_id": iid, "title": r["title"] or iid,
                     "owner": r["owner"] or "unassigned", "is_builtin": False})
    return pl.DataFrame(rows, schema={"template_id": pl.String, "item_id": pl.String, "title": pl.String,
                                      "owner": pl.String, "is_builtin": pl.Boolean})


def progress_by_owner(state_df: pl.DataFrame) -> pl.DataFrame:
    """One row per owner (role): n_items, n_done, share_done, n_overdue, n_blocked; plus 'All'."""
    def agg(df: pl.DataFrame) -> pl.DataFrame:
        return df.agg(n_items=pl.len(), n_done=(pl.col("status") == "done").sum(),
                      n_overdue=pl.col("is_overdue").sum(), n_blocked=(pl.col("status") == "blocked").sum())

    by = agg(state_df.group_by("owner")).sort("owner")
    total = agg(state_df.select(pl.lit("All items").alias("owner"), "status", "is_overdue")
                .group_by("owner"))
    out = pl.concat([by, total]) if state_df.height else by
    return out.with_columns(share_done=pl.col("n_done") / pl.col("n_items")).select(
        "owner", "n_items", "n_done", "share_done", "n_overdue", "n_blocked")


def share_done(state_df: pl.DataFrame) -> float | None:
    return (state_df["status"] == "done").sum() / state_df.height if state_df.height else None


def readiness_summary(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None) -> ReadinessSummary:
    """Readiness now (``as_of``, default today) and ``PREV_DAYS`` days earlier, for the overview."""
    from analytics import evidence, parallel

    today = as_of or datetime.now(UTC).date()
    done = parallel.run_all(con, {"evidence": (evidence.evidence, {"as_of": today}),
                                  "now": (state, {"as_of": today}),
                                  "prev": (state, {"as_of": previous_day(today)})})
    return summarize(done["now"], done["prev"], done["evidence"])


def previous_day(today: date) -> date:
    """The day the overview's readiness delta compares with."""
    return today - timedelta(days=PREV_DAYS)


def summarize(now: pl.DataFrame, prev: pl.DataFrame, evidence_df: pl.DataFrame) -> ReadinessSummary:
    """The summary from ``state`` now and at ``previous_day`` and ``evidence.evidence`` now (pure)."""
    from analytics import evidence

    dis = evidence.attach(now, evidence_df)["is_disagreement"].sum()
    return ReadinessSummary(
        n_items=now.height, n_done=int((now["status"] == "done").sum()), share_done=share_done(now),
        n_overdue=int(now["is_overdue"].sum()), n_blocked=int((now["status"] == "blocked").sum()),
        n_disagreements=int(dis), prev_share_done=share_done(prev), items=now)


# ---------------------------------------------------------------- the one write path

def _connect_events(root: Path | str) -> duckdb.DuckDBPyConnection:
    """A connection over the event log; retried when a concurrent compaction removed a file
    between listing and reading (the compacted file holds the same events)."""
    for attempt in range(5):
        # only this table: the write path must not depend on rollups or other tables
        con = lakehouse.new_connection()
        if not lakehouse.register_table(con, Path(root), CHECKLIST_EVENTS.name):
            try:
                con.sql("select count(*) from checklist_events").fetchall()
                return con
            except duckdb.IOException:
                pass
        con.close()
        if attempt == 4:
            raise InputError("The checklist could not be read consistently; try again.")
    raise AssertionError("unreachable")


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
    actor = _text("name of the person making the change", actor or "", MAX_TEXT_CHARS, allow_empty=False)
    needs_lookup = creating or any(c.item_id not in DEFAULTS for c in changes)
    known = known_items(root) if needs_lookup else set(ITEM_IDS)
    valid = []
    for c in changes:
        valid.append(validate(c, known, creating=creating))
        if creating:
            known.add(c.item_id)
    rows = event_table(valid, actor=actor, now=now or datetime.now(UTC))
    lakehouse.append(root, CHECKLIST_EVENTS.name, rows)
    folder = Path(root) / CHECKLIST_EVENTS.name
    if AUTO_COMPACT_FILES is not None and len(_live_files(folder)) > AUTO_COMPACT_FILES:
        compact(root, blocking=False)  # another writer already compacting: leave it to them
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
    title = _text("title", title or "", MAX_TEXT_CHARS, allow_empty=False)
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
    if not _ID.match(template_id or "") or template_id in BUILTIN_TEMPLATES:
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


def _live_files(folder: Path) -> list[Path]:
    folded = _folded(folder)
    return [p for p in lakehouse.data_files(folder) if p.name not in folded]


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
    folder = Path(root) / CHECKLIST_EVENTS.name
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".compact.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            return CompactReport(0, 0, None)
        now = clock.time()
        folded = _folded(folder)
        for name, at in list(folded.items()):
            if now - at >= grace_seconds:
                (folder / name).unlink(missing_ok=True)
                del folded[name]
        files = [p for p in lakehouse.data_files(folder) if p.name not in folded]
        path = None
        if len(files) >= 2:
            parts = [lakehouse.conform(CHECKLIST_EVENTS, pq.read_table(p)) for p in files]
            merged = pl.from_arrow(pa.concat_tables(parts))
            merged = merged.unique("event_id", keep="first", maintain_order=True).sort(["event_at", "event_id"])
            path = lakehouse.atomic_write_parquet(merged.to_arrow().cast(CHECKLIST_EVENTS.schema),
                                                  folder / lakehouse.new_part_name())
            if grace_seconds <= 0:
                for p in files:
                    p.unlink(missing_ok=True)
            else:
                folded.update({p.name: now for p in files})
        tmp = folder / f"{_MANIFEST}.{uuid.uuid4().hex[:8]}.tmp"
        tmp.write_text(json.dumps(folded))
        tmp.replace(folder / _MANIFEST)
        n_events = merged.height if path else 0
        return CompactReport(len(files), n_events, path)


# ---------------------------------------------------------------- edits from a table editor (pure)

EDITABLE = ("status", "owner", "due_date", "evidence_url", "note")


def changes_from_edits(item_ids: list[str], edited_rows: dict) -> list[Change]:
    """Map a table editor's edits (``{row position: {column: new value}}``) to changes.

    Cleared cells clear the link, note or due date; a cleared owner is rejected by validation.
    Columns outside ``EDITABLE`` are ignored. Raises ``InputError`` for an unknown row.
    """
    out = []
    for pos, cols in sorted(edited_rows.items(), key=lambda kv: int(kv[0])):
        pos = int(pos)
        if not 0 <= pos < len(item_ids):
            raise InputError(f"Row {pos + 1} is not in the checklist; reload the page and try again.")
        kw: dict[str, object] = {}
        for col, value in cols.items():
            if col not in EDITABLE:
                continue
            kw[col] = "" if value is None else value
        if kw:
            out.append(Change(item_ids[pos], **kw))  # type: ignore[arg-type]
    return out
