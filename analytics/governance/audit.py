"""The audit log: who changed what, when, and from which page (table ``audit_log``).

Every write made through the app or the CLI appends one row with ``record``. Rows are never
updated or deleted. ``recent`` reads them back for the Admin page, newest first.
"""

from __future__ import annotations

import getpass
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import InputError
from analytics.lakehouse import storage
from analytics.lakehouse.schema import AUDIT_LOG

MAX_DETAIL = 2000  # characters; a detail is a summary, not a payload


def record(root: Path | str, *, actor: str, action: str, role: str | None = None, target: str = "",
           page: str = "", detail: str = "", at: datetime | None = None) -> str:
    """Append one audit event and return its ``event_id``.

    ``actor`` is the signed-in user (or the OS user for the CLI), ``action`` a short verb such as
    ``ingest`` or ``ledger.edit``, ``target`` what was changed (table, item id), ``page`` the app page
    or ``cli``. Raises ``InputError`` when actor or action is empty.
    """
    if not actor or not action:
        raise InputError("An audit event needs an actor and an action.")
    event_id = uuid.uuid4().hex
    row = {"event_id": [event_id], "event_at": [at or datetime.now(UTC)], "actor": [actor],
           "role": [role], "action": [action], "target": [target], "page": [page],
           "detail": [(detail or "")[:MAX_DETAIL]]}
    storage.append(root, AUDIT_LOG.name, pa.table(row).cast(AUDIT_LOG.schema))
    return event_id


def cli_actor() -> str:
    """The actor for CLI writes: the operating-system user running the command."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry (containers)
        return "cli:unknown"


def recent(con: duckdb.DuckDBPyConnection, *, start_date: date | None = None, end_date: date | None = None,
           actor: str | None = None, action: str | None = None, limit: int = 1000) -> pl.DataFrame:
    """Audit events, newest first, optionally within [start_date, end_date] (UTC days) and for one
    actor or action; at most ``limit`` rows."""
    return sql.run(con, "audit_log_recent", start_date=start_date, end_date=end_date, actor=actor,
                   action=action, limit=int(limit))


def actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The distinct actions in the log, sorted (for the Admin page's filter)."""
    return sql.run(con, "audit_log_actions")["action"].to_list()
