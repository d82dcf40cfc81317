"""The alert store: a drift, performance, quality or freshness breach, raised once, kept current,
resolved once (table ``alerts``, append-only).

``alert_id`` is a hash of (model, kind, subject, metric, window), so evaluating the same episode again
(another refresh) never raises it twice. Each row carries the model's monthly value from the value
ledger as ``value_at_risk_usd``. An alert's rows, in order:

* the raising row (``created_at`` = first detection = ``updated_at``);
* an update row whenever a later evaluation of the still-open alert sees another value, severity or
  message (``updated_at`` = that evaluation; ``created_at`` stays the first detection, so "since" never
  moves), with the value at risk read again;
* the resolution row (``resolved_at`` set) when an evaluator no longer sees the breach.

The current state of an alert is its latest row (``analytics/sql/alerts/alerts_current.sql``); open
alerts are those whose latest row is not a resolution (``alerts_open.sql``). Every page reads them
from there, so value, severity, "since" and value at risk are the same everywhere.
"""

from __future__ import annotations

import hashlib
import math
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

SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # warning < critical


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


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) or (math.isnan(a) and math.isnan(b))


def _current(root: Path | str) -> dict[str, dict]:
    con = connection.connect(root, tables=["alerts"])
    try:
        return {r["alert_id"]: r for r in sql.run(con, "alerts_current").iter_rows(named=True)}
    finally:
        con.close()


def raise_alerts(root: Path | str, breaches: list[Breach], *, now: datetime | None = None) -> int:
    """Append the breaches not already recorded, and an update row for each open alert whose value,
    severity or message changed; return how many new alerts were raised. A resolved alert is never
    reopened by the same episode (its id stays resolved)."""
    if not breaches:
        return 0
    for b in breaches:
        if b.kind not in ALERT_KINDS or b.severity not in SEVERITIES:
            raise InputError(f"Alert kind/severity must be one of {ALERT_KINDS}/{SEVERITIES}, "
                             f"got {b.kind}/{b.severity}.")
    existing = _current(root)
    con = connection.connect(root, tables=["value_ledger"])
    try:
        values = dict(con.sql(sql.load("model_monthly_value")).fetchall())
    finally:
        con.close()
    now = now or datetime.now(UTC)
    rows, n_new = [], 0
    for b in {b.alert_id(): b for b in breaches}.values():
        row = {"alert_id": b.alert_id(), "created_at": now, "model_id": b.model_id, "kind": b.kind,
               "severity": b.severity, "metric": b.metric, "subject": b.subject, "value": b.value,
               "threshold": b.threshold, "window_start_at": b.window_start_at,
               "window_end_at": b.window_end_at, "message": b.message,
               "value_at_risk_usd": float(values.get(b.model_id, 0.0)), "resolved_at": None, "updated_at": now}
        old = existing.get(b.alert_id())
        if old is None:
            n_new += 1
        elif old["resolved_at"] is not None:
            continue
        elif (old["severity"] == b.severity and _same(old["value"], b.value) and old["message"] == b.message
              and _same(old["threshold"], b.threshold)):
            continue  # nothing changed: no row, so a refresh that sees the same breach writes nothing
        else:
            row["created_at"] = old["created_at"]  # "since" is the first detection
        rows.append(row)
    if rows:
        storage.append(root, "alerts", pa.Table.from_pylist(rows, schema=ALERTS.schema))
    return n_new


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
    at = pl.lit(now or datetime.now(UTC)).cast(pl.Datetime("us", "UTC"))
    rows = gone.select(ALERTS.schema.names).with_columns(resolved_at=at, updated_at=at)
    storage.append(root, "alerts", rows.to_arrow())
    return rows.height


def sync(root: Path | str, current: list[Breach], *, kinds: tuple[str, ...], subjects: set[str] | None = None,
         now: datetime | None = None) -> tuple[int, int]:
    """One evaluation's outcome: raise the new breaches (and update the changed ones), resolve the
    vanished ones. Returns (raised, resolved)."""
    raised = raise_alerts(root, current, now=now)
    return raised, resolve_missing(root, current, kinds=kinds, subjects=subjects, now=now)


def open_alerts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Unresolved alerts in their latest state, one row per alert, newest first."""
    return sql.run(con, "alerts_open").sort("created_at", descending=True)
