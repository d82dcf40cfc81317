"""Alerts: a drift, performance, quality or freshness breach, written once and resolved once.

``alert_id`` is a hash of (model, kind, subject, window), so evaluating the same window again
(another refresh, a page load) never duplicates a row. Each alert carries the model's monthly value
from the value ledger as ``value_at_risk_usd``. The table is append-only: when an evaluator no longer
sees a breach, ``sync`` appends a copy of the alert with ``resolved_at`` set (the open alerts are
those without such a row: ``analytics/sql/alerts/alerts_open.sql``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import InputError
from analytics.lakehouse import connection, storage
from analytics.lakehouse.schema import ALERT_KINDS, ALERTS, SEVERITIES


@dataclass(frozen=True)
class Breach:
    model_id: str
    kind: str  # one of ALERT_KINDS
    severity: str  # "warning" | "critical"
    metric: str
    subject: str  # feature, dataset or metric the breach is about
    value: float | None
    threshold: float | None
    window_start_at: datetime | None
    window_end_at: datetime | None
    message: str  # plain words for executives, e.g. "input drift in basket_size since 3 March"

    def alert_id(self) -> str:
        key = "|".join(str(x) for x in (self.model_id, self.kind, self.subject, self.metric,
                                         self.window_start_at, self.window_end_at))
        return hashlib.sha1(key.encode()).hexdigest()[:16]


def raise_alerts(root: Path | str, breaches: list[Breach], *, now: datetime | None = None) -> int:
    """Append the breaches not already recorded; return how many were written."""
    if not breaches:
        return 0
    for b in breaches:
        if b.kind not in ALERT_KINDS or b.severity not in SEVERITIES:
            raise InputError(f"Alert kind/severity must be one of {ALERT_KINDS}/{SEVERITIES}, "
                             f"got {b.kind}/{b.severity}.")
    con = connection.connect(root, tables=["alerts", "value_ledger"])
    try:
        existing = {r[0] for r in con.sql("select alert_id from alerts").fetchall()}
        values = dict(con.sql(sql.load("model_monthly_value")).fetchall())
    finally:
        con.close()
    now = now or datetime.now(UTC)
    fresh = [b for b in {b.alert_id(): b for b in breaches}.values() if b.alert_id() not in existing]
    if not fresh:
        return 0
    rows = pa.Table.from_pylist([
        {"alert_id": b.alert_id(), "created_at": now, "model_id": b.model_id, "kind": b.kind,
         "severity": b.severity, "metric": b.metric, "subject": b.subject, "value": b.value,
         "threshold": b.threshold, "window_start_at": b.window_start_at, "window_end_at": b.window_end_at,
         "message": b.message, "value_at_risk_usd": float(values.get(b.model_id, 0.0)), "resolved_at": None}
        for b in fresh
    ], schema=ALERTS.schema)
    storage.append(root, "alerts", rows)
    return len(fresh)


def resolve_missing(root: Path | str, current: list[Breach], *, kinds: tuple[str, ...],
                    subjects: set[str] | None = None, now: datetime | None = None) -> int:
    """Resolve the open alerts of ``kinds`` (and, if given, only those about ``subjects``) that are not
    among the ``current`` breaches; return how many were resolved."""
    still = {b.alert_id() for b in current}
    con = connection.connect(root, tables=["alerts"])
    try:
        open_now = sql.run(con, "alerts_open")
    finally:
        con.close()
    gone = open_now.filter(pl.col("kind").is_in(list(kinds)) & ~pl.col("alert_id").is_in(list(still)))
    if subjects is not None:
        gone = gone.filter(pl.col("subject").is_in(list(subjects)))
    if gone.is_empty():
        return 0
    rows = gone.with_columns(resolved_at=pl.lit(now or datetime.now(UTC)).cast(pl.Datetime("us", "UTC")))
    storage.append(root, "alerts", rows.to_arrow())
    return rows.height


def sync(root: Path | str, current: list[Breach], *, kinds: tuple[str, ...], subjects: set[str] | None = None,
         now: datetime | None = None) -> tuple[int, int]:
    """One evaluation's outcome: raise the new breaches, resolve the vanished ones.
    Returns (raised, resolved)."""
    raised = raise_alerts(root, current, now=now)
    return raised, resolve_missing(root, current, kinds=kinds, subjects=subjects, now=now)


def open_alerts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Unresolved alerts, one row per alert, newest first."""
    return sql.run(con, "alerts_open").sort("created_at", descending=True)
