"""Stewardship tasks, event-sourced in ``stewardship_tasks`` (the latest event of a task is its state).

* A failing check (status ``fail`` or ``error``) opens one task for its dataset, assigned to the
  dataset's steward (else its owner, else ``unassigned``), or reuses the dataset's open task.
* When a later run finds none of the dataset's checks failing, the task resolves itself
  (actor ``scaleboard check``).
* Stewards acknowledge, reassign and resolve with a required reason; every change is a new event.

Response time = first acknowledgement - opening; resolution time = resolution - opening (hours).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import InputError
from analytics.lakehouse import connection, storage
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import STEWARDSHIP_TASKS

SYSTEM_ACTOR = "scaleboard check"
FAILING = ("fail", "error")


@dataclass(frozen=True)
class OpenTask:
    task_id: str
    dataset_id: str
    assignee: str | None
    status: str
    opened_at: datetime


def _event(task_id: str, *, at: datetime, actor: str, dataset_id: str, check_id: str | None,
           assignee: str | None, status: str, reason: str | None) -> dict:
    return {"event_id": uuid.uuid4().hex, "task_id": task_id, "event_at": at, "actor": actor,
            "dataset_id": dataset_id, "check_id": check_id, "assignee": assignee, "status": status,
            "reason": reason}


def plan_events(open_tasks: dict[str, OpenTask], results: Iterable, assignees: dict[str, str],
                *, at: datetime) -> list[dict]:
    """Task events implied by one run's results (pure).

    ``open_tasks``: dataset_id -> its unresolved task; ``results``: ``CheckResult``s of the run;
    ``assignees``: dataset_id -> steward (or owner). A dataset without results is left alone.
    """
    events: list[dict] = []
    by_ds: dict[str, list] = {}
    for r in results:
        by_ds.setdefault(r.check.dataset_id, []).append(r)
    for ds, rs in sorted(by_ds.items()):
        failing = [r for r in rs if r.status in FAILING]
        task = open_tasks.get(ds)
        if failing and task is None:
            first = failing[0]
            events.append(_event(f"task-{uuid.uuid4().hex[:12]}", at=at, actor=SYSTEM_ACTOR, dataset_id=ds,
                                 check_id=first.check.check_id, assignee=assignees.get(ds) or "unassigned",
                                 status="open", reason=first.message))
        elif not failing and task is not None:
            events.append(_event(task.task_id, at=at, actor=SYSTEM_ACTOR, dataset_id=ds, check_id=None,
                                 assignee=task.assignee, status="resolved",
                                 reason=f"All checks pass again as of {at:%Y-%m-%d %H:%M} UTC."))
    return events


def apply_events(open_tasks: dict[str, OpenTask], events: list[dict]) -> dict[str, OpenTask]:
    """The open-task map after ``events`` (for runs evaluated one after another, e.g. a backfill)."""
    out = dict(open_tasks)
    for e in events:
        if e["status"] == "resolved":
            out.pop(e["dataset_id"], None)
        elif e["status"] == "open":
            out[e["dataset_id"]] = OpenTask(e["task_id"], e["dataset_id"], e["assignee"], "open", e["event_at"])
    return out


def events_table(events: list[dict]) -> pa.Table:
    return pa.Table.from_pylist(events, schema=STEWARDSHIP_TASKS.schema)


# ---------------------------------------------------------------- reading

def exclusive(root: Path | str):
    """The lock every writer of stewardship tasks holds while it reads, decides and appends."""
    return storage.exclusive(locate(root) / "stewardship_tasks")


def read_current(root: Path | str) -> pl.DataFrame:
    """``current`` from a connection opened now over the task events only (sees every event
    appended so far; call it under ``exclusive`` before deciding on a write)."""
    con = connection.connect(root, tables=["stewardship_tasks"])
    try:
        return current(con)
    finally:
        con.close()


def read_open(root: Path | str) -> dict[str, OpenTask]:
    """``open_tasks`` as of now (see ``read_current``)."""
    return _open(read_current(root))


def current(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per task: state, assignee, opened/acknowledged/resolved times, response and
    resolution hours (null while pending), newest first."""
    return sql.run(con, "stewardship_tasks_current")


def open_tasks(con: duckdb.DuckDBPyConnection) -> dict[str, OpenTask]:
    return _open(current(con))


def _open(tasks_now: pl.DataFrame) -> dict[str, OpenTask]:
    df = tasks_now.filter(pl.col("status") != "resolved")
    return {r["dataset_id"]: OpenTask(r["task_id"], r["dataset_id"], r["assignee"], r["status"], r["opened_at"])
            for r in df.sort("opened_at").iter_rows(named=True)}


def assignees(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """dataset_id -> steward, else owner (from the catalog)."""
    rows = con.sql("select dataset_id, coalesce(nullif(trim(steward), ''), nullif(trim(owner), '')) "
                   "from datasets").fetchall()
    return {d: a for d, a in rows if a}


# ---------------------------------------------------------------- steward actions

def _task(root: Path | str, task_id: str) -> dict:
    df = read_current(root).filter(pl.col("task_id") == task_id)
    if df.is_empty():
        raise InputError(f"There is no stewardship task '{task_id}'.")
    return df.row(0, named=True)


def _act(root, task_id: str, *, actor: str, status: str, reason: str, assignee: str | None = None,
         now: datetime | None = None) -> dict:
    if not (actor or "").strip():
        raise InputError("Say who is acting on the task (actor is empty).")
    if not (reason or "").strip():
        raise InputError("A reason is required: say what was done or why, so the next steward knows.")
    with exclusive(root):  # not on a task a concurrent check run is closing
        task = _task(root, task_id)
        if task["status"] == "resolved":
            raise InputError(f"Task {task_id} is already resolved; a new failure opens a new task.")
        event = _event(task_id, at=now or datetime.now(UTC), actor=actor.strip(), dataset_id=task["dataset_id"],
                       check_id=task["check_id"], assignee=assignee or task["assignee"], status=status,
                       reason=reason.strip())
        append_events(root, [event])
    return event


def append_events(root: Path | str, events: list[dict]) -> None:
    """The one writer of ``stewardship_tasks``: append ``events`` as one file. Callers decide the
    events under ``exclusive(root)`` from a fresh read and append before releasing it."""
    storage.append(root, "stewardship_tasks", events_table(events))


def acknowledge(root: Path | str, task_id: str, *, actor: str, reason: str,
                now: datetime | None = None) -> dict:
    """Mark a task as being worked on (the first acknowledgement sets the response time)."""
    return _act(root, task_id, actor=actor, status="acknowledged", reason=reason, now=now)


def reassign(root: Path | str, task_id: str, *, actor: str, assignee: str, reason: str,
             now: datetime | None = None) -> dict:
    """Hand a task to someone else; the status stays as it was."""
    if not (assignee or "").strip():
        raise InputError("Name the person to reassign the task to.")
    status = _task(root, task_id)["status"]
    return _act(root, task_id, actor=actor, status=status, reason=reason, assignee=assignee.strip(), now=now)


def resolve(root: Path | str, task_id: str, *, actor: str, reason: str, now: datetime | None = None) -> dict:
    """Close a task by hand (the check may still fail; the next failing run opens a new task)."""
    return _act(root, task_id, actor=actor, status="resolved", reason=reason, now=now)
