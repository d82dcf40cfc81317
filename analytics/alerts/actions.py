"""Acknowledge and snooze an open alert (table ``alert_actions``), each audited.

* Acknowledge: someone owns the alert. It is not sent again (a later escalation is suppressed); incident
  tools (PagerDuty, Opsgenie, webhooks) that were told of it receive the acknowledgement. Once per alert.
* Snooze until a time: notifications of the alert are held until then (a resolution is still sent).
Both refuse an unknown or resolved alert with ``InputError`` and write nothing.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import InputError
from analytics.governance import audit
from analytics.lakehouse import connection, storage
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import ALERT_ACTIONS

MAX_SNOOZE = timedelta(days=30)


def table(con: duckdb.DuckDBPyConnection, *, model_id: str | None = None,
          business_units: list[str] | None = None) -> pl.DataFrame:
    """Open alerts in their latest state with acknowledgement and snooze (``alerts_table.sql``), one row
    per alert, critical first; ``business_units`` limits them to a user's scope."""
    return sql.run(con, "alerts_table", model_id=model_id,
                   business_units=list(business_units) if business_units else None)


def _open(root: Path | str, alert_id: str) -> dict:
    con = connection.connect(root, tables=["alerts", "alert_actions", "models"])
    try:
        df = table(con).filter(pl.col("alert_id") == alert_id)
    finally:
        con.close()
    if df.is_empty():
        raise InputError(f"There is no open alert '{alert_id}' (it may have been resolved).")
    return df.row(0, named=True)


def _write(root, alert_id: str, *, actor: str, action: str, reason: str, at: datetime,
           until: datetime | None = None) -> dict:
    row = {"action_id": uuid.uuid4().hex, "alert_id": alert_id, "acted_at": at, "actor": actor,
           "action": action, "snoozed_until": until, "reason": reason}
    storage.append(root, "alert_actions", pa.Table.from_pylist([row], schema=ALERT_ACTIONS.schema))
    return row


def _check(actor: str, reason: str) -> tuple[str, str]:
    if not (actor or "").strip():
        raise InputError("Say who is acting on the alert (actor is empty).")
    if not (reason or "").strip():
        raise InputError("A reason is required: say what you are doing about the alert.")
    return actor.strip(), reason.strip()


def acknowledge(root: Path | str, alert_id: str, *, actor: str, reason: str, role: str | None = None,
                page: str = "cli", now: datetime | None = None) -> dict:
    """Acknowledge an open alert once; audited as ``alert.acknowledge``."""
    actor, reason = _check(actor, reason)
    with storage.exclusive(locate(root) / "alert_actions"):
        alert = _open(root, alert_id)
        if alert["acknowledged_at"] is not None:
            raise InputError(f"Alert {alert_id} was already acknowledged by {alert['acknowledged_by']}.")
        row = _write(root, alert_id, actor=actor, action="acknowledge", reason=reason,
                     at=now or datetime.now(UTC))
    audit.record(root, actor=actor, role=role, action="alert.acknowledge", target=alert_id, page=page,
                 detail=f"{alert['message']} | {reason}")
    return row


def snooze(root: Path | str, alert_id: str, *, actor: str, hours: float, reason: str, role: str | None = None,
           page: str = "cli", now: datetime | None = None) -> dict:
    """Hold an open alert's notifications for ``hours`` (at most 30 days); audited as ``alert.snooze``."""
    actor, reason = _check(actor, reason)
    try:
        span = timedelta(hours=float(hours))
    except (TypeError, ValueError):
        raise InputError("Snooze for a number of hours.") from None
    if not timedelta(0) < span <= MAX_SNOOZE:
        raise InputError("Snooze for more than 0 hours and at most 30 days.")
    now = now or datetime.now(UTC)
    with storage.exclusive(locate(root) / "alert_actions"):
        alert = _open(root, alert_id)
        row = _write(root, alert_id, actor=actor, action="snooze", reason=reason, at=now, until=now + span)
    audit.record(root, actor=actor, role=role, action="alert.snooze", target=alert_id, page=page,
                 detail=f"until {row['snoozed_until']:%Y-%m-%d %H:%M} UTC | {alert['message']} | {reason}")
    return row
