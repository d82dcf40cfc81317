"""PagerDuty Events API v2 (``POST /v2/enqueue``): trigger, acknowledge and resolve one incident per
alert, with ``dedup_key`` = the alert id (or the task id).

Field rules (PagerDuty's Events API v2 reference): ``routing_key`` and ``event_action`` (trigger,
acknowledge, resolve) always; ``dedup_key`` at most 255 characters, required to acknowledge or resolve;
a trigger has ``payload.summary`` (at most 1024 characters), ``payload.source`` and
``payload.severity`` (critical, error, warning or info), optionally timestamp, component, group,
class and custom_details; ``links`` are ``{href, text}``.
"""

from __future__ import annotations

from analytics.alerts.channels.base import Notification, Result, post_json

URL = "https://events.pagerduty.com/v2/enqueue"  # EU accounts: https://events.eu.pagerduty.com/v2/enqueue
SEVERITY = {"critical": "critical", "warning": "warning", "info": "info"}
ACTION = {"open": "trigger", "escalate": "trigger", "task_open": "trigger", "test": "trigger",
          "acknowledge": "acknowledge", "resolve": "resolve", "task_close": "resolve"}


def payload(note: Notification, routing_key: str, *, source: str = "scaleboard") -> dict:
    action = ACTION[note.event]
    body: dict = {"routing_key": routing_key, "event_action": action, "dedup_key": note.subject_id[:255]}
    if action != "trigger":
        return body  # acknowledge and resolve only name the incident
    data = note.data
    body["payload"] = {
        "summary": (f"{note.title}: {note.text}")[:1024], "source": source,
        "severity": SEVERITY.get(note.severity, "info"), "timestamp": note.event_at.isoformat(),
        "component": str(data.get("name") or data.get("model_id") or data.get("dataset_id") or "")[:255]
        or None,
        "group": data.get("business_unit"), "class": data.get("kind") or note.event,
        "custom_details": note.fields,
    }
    body["payload"] = {k: v for k, v in body["payload"].items() if v not in (None, "")}
    body["client"] = "Scaleboard"
    if note.link:
        body["client_url"] = note.link
        body["links"] = [{"href": note.link, "text": "Open in Scaleboard"}]
    return body


def send(note: Notification, options: dict, *, timeout: float, idempotency_key: str) -> Result:
    return post_json(options.get("url") or URL,
                     payload(note, options["routing_key"], source=options.get("source") or "scaleboard"),
                     timeout=timeout)
