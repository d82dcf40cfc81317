"""Readiness items: the default items, the shape of a change, and its validation (pure).

Item ids: the seven default items, custom items (``[a-z][a-z0-9_]*``), and template rows
(``tpl.<template_id>.<item>``; a template is a named list of items that can be applied).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime

import polars as pl
import pyarrow as pa

from analytics.errors import InputError
from analytics.lakehouse.schema import CHECKLIST_EVENTS, CHECKLIST_STATUSES

STATUSES = CHECKLIST_STATUSES
MAX_NOTE_CHARS = 2000
MAX_TEXT_CHARS = 120  # titles, owners, actors
MAX_URL_CHARS = 500
TEMPLATE_PREFIX = "tpl."
ITEM_ID = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
PREV_DAYS = 30


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


def clean_text(label: str, value: str, limit: int, *, allow_empty: bool = True) -> str:
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
        if not ITEM_ID.match(bare):
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
        out = replace(out, owner=clean_text("owner", change.owner, MAX_TEXT_CHARS, allow_empty=False))
    if change.title is not None:
        out = replace(out, title=clean_text("title", change.title, MAX_TEXT_CHARS, allow_empty=False))
    if change.note is not None:
        out = replace(out, note=clean_text("note", change.note, MAX_NOTE_CHARS))
    if change.evidence_url is not None:
        url = clean_text("evidence link", change.evidence_url, MAX_URL_CHARS)
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
