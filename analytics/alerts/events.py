"""The notification events, derived from the append-only history (pure reads, no state of their own):

* ``<alert_id>:open`` - the alert's raising row;
* ``<alert_id>:escalate:<severity>`` - the first row whose severity is higher than every earlier one;
* ``<alert_id>:acknowledge`` - the first acknowledgement (``alert_actions``);
* ``<alert_id>:resolve`` - the resolution row;
* ``<task_id>:task_open`` / ``<task_id>:task_close`` - a stewardship task opened or closed by
  ``scaleboard check`` itself.

A refresh that changes nothing adds no row, hence no event; the delivery log says which events each
channel already has.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from analytics import sql
from analytics.alerts.channels.base import Notification
from analytics.alerts.store import SEVERITY_RANK
from analytics.quality.tasks import SYSTEM_ACTOR

KIND_WORDS = {"drift": "Drift", "performance": "Performance", "quality": "Data quality",
              "freshness": "Freshness"}
DATA_KEYS = ("alert_id", "model_id", "name", "business_unit", "kind", "severity", "metric", "subject",
             "value", "threshold", "window_start_at", "created_at", "updated_at", "resolved_at",
             "value_at_risk_usd", "message")


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:,.3f}".rstrip("0").rstrip(".") if abs(v) < 1000 else f"{v:,.0f}"


def _day(d: datetime | None) -> str:
    return "–" if d is None else f"{d.day} {d:%b %Y}"


def _link(app_url: str, r: dict) -> str | None:
    if not app_url:
        return None
    feature = f"&feature={r['subject']}" if r["kind"] == "drift" and r.get("subject") else ""
    return f"{app_url}/drift?model={r['model_id']}{feature}"


def _alert_note(event: str, key: str, at: datetime, r: dict, app_url: str, *, title: str, text: str,
                actor: str | None = None) -> Notification:
    fields = {"Model": str(r.get("name") or r["model_id"]), "Business unit": str(r.get("business_unit") or "–"),
              "Kind": KIND_WORDS.get(r["kind"], r["kind"]), "Severity": r["severity"],
              "Value": _num(r.get("value")), "Threshold": _num(r.get("threshold")),
              "Since": _day(r.get("window_start_at") or r["created_at"]),
              "Value at risk / month": f"${(r.get('value_at_risk_usd') or 0):,.0f}"}
    return Notification(event_key=key, event=event, subject_id=r["alert_id"], event_at=at, title=title,
                        text=text, severity=r["severity"], fields=fields, link=_link(app_url, r),
                        data={k: r.get(k) for k in DATA_KEYS}, actor=actor)


def alert_events(con: duckdb.DuckDBPyConnection, *, app_url: str = "") -> list[Notification]:
    """Every alert lifecycle event, oldest first."""
    hist = sql.run(con, "alert_history")
    acks = {r["alert_id"]: r for r in sql.run(con, "alert_first_acks").iter_rows(named=True)}
    out: list[Notification] = []
    rows_by: dict[str, list[dict]] = {}
    for r in hist.iter_rows(named=True):
        rows_by.setdefault(r["alert_id"], []).append(r)
    for alert_id, rows in rows_by.items():
        first = rows[0]
        name = first.get("name") or first["model_id"]
        out.append(_alert_note("open", f"{alert_id}:open", first["row_at"], first, app_url,
                               title=f"{first['severity'].capitalize()} alert: {name}", text=first["message"] or ""))
        rank = SEVERITY_RANK[first["severity"]]
        for r in rows[1:]:
            if r["is_resolution"]:
                out.append(_alert_note("resolve", f"{alert_id}:resolve", r["row_at"], r, app_url,
                                       title=f"Resolved: {name}",
                                       text=f"No longer seen on {_day(r['resolved_at'])}: {r['message'] or ''}"))
                break
            if SEVERITY_RANK[r["severity"]] > rank:
                out.append(_alert_note("escalate", f"{alert_id}:escalate:{r['severity']}", r["row_at"], r, app_url,
                                       title=f"Escalated to {r['severity']}: {name}", text=r["message"] or ""))
                rank = SEVERITY_RANK[r["severity"]]
        ack = acks.get(alert_id)
        if ack is not None:  # the alert as it was when acknowledged
            last = [r for r in rows if not r["is_resolution"] and r["row_at"] <= ack["acted_at"]] or [first]
            last = last[-1]
            out.append(_alert_note("acknowledge", f"{alert_id}:acknowledge", ack["acted_at"], last, app_url,
                                   title=f"Acknowledged: {name}", actor=ack["actor"],
                                   text=f"{ack['actor']} acknowledged: {ack['reason'] or 'no reason given'}. "
                                        f"{last['message'] or ''}".strip()))
    return sorted(out, key=lambda n: n.event_at)


def task_events(con: duckdb.DuckDBPyConnection) -> list[Notification]:
    """Stewardship tasks opened or closed by ``scaleboard check``, oldest first (``recipient`` is left to
    the delivery, which knows the stewards' addresses)."""
    out = []
    for r in sql.run(con, "task_notifications", system_actor=SYSTEM_ACTOR).iter_rows(named=True):
        ds = r["dataset_name"] or r["dataset_id"]
        opened = r["status"] == "open"
        event = "task_open" if opened else "task_close"
        out.append(Notification(
            event_key=f"{r['task_id']}:{event}", event=event, subject_id=r["task_id"], event_at=r["event_at"],
            title=f"Stewardship task {'opened' if opened else 'closed'}: {ds}", text=r["reason"] or "",
            severity="warning" if opened else "info",
            fields={"Dataset": str(ds), "Check": str(r["check_id"] or "–"), "Steward": str(r["assignee"] or "–")},
            data={"task_id": r["task_id"], "dataset_id": r["dataset_id"], "name": ds, "kind": "stewardship_task",
                  "assignee": r["assignee"], "status": r["status"], "check_id": r["check_id"]}))
    return out
