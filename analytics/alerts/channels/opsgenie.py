"""Opsgenie Alert API v2: create, raise priority, acknowledge and close one alert per Scaleboard alert,
addressed by ``alias`` = the alert id (``identifierType=alias``).

Field rules (Opsgenie's Alert API reference): ``message`` required, at most 130 characters; ``alias``
at most 512; ``description`` at most 15000; ``tags`` at most 20 of at most 50 characters; ``details``
string values; ``entity`` at most 512; ``source`` and ``user`` at most 100; ``note`` at most 25000;
``priority`` one of P1-P5. Requests carry ``Authorization: GenieKey <api key>``; success is 202.
"""

from __future__ import annotations

from urllib.parse import quote

from analytics.alerts.channels.base import Notification, Result, post_json

BASE = {"us": "https://api.opsgenie.com", "eu": "https://api.eu.opsgenie.com"}
PRIORITY = {"critical": "P1", "warning": "P3", "info": "P5"}
SOURCE = "Scaleboard"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def create(note: Notification, *, tags: list[str] | None = None, responders: list | None = None) -> dict:
    data = note.data
    body = {"message": _cut(note.title, 130), "alias": note.subject_id[:512],
            "description": _cut(note.text + (f"\n\n{note.link}" if note.link else ""), 15000),
            "tags": [_cut(t, 50) for t in ["scaleboard", *(tags or []), str(data.get("kind") or note.event),
                                           note.severity]][:20],
            "details": {k: _cut(str(v), 8000) for k, v in note.fields.items()},
            "entity": _cut(str(data.get("name") or data.get("model_id") or data.get("dataset_id") or ""), 512),
            "source": SOURCE, "priority": PRIORITY.get(note.severity, "P3")}
    if responders:
        body["responders"] = responders
    return body


def requests(note: Notification, options: dict) -> list[tuple[str, str, dict]]:
    """(method, path, body) to send for ``note``, in order."""
    alias = quote(note.subject_id[:512], safe="")
    by = _cut(note.actor or SOURCE, 100)
    if note.event in ("open", "task_open", "test"):
        return [("POST", "/v2/alerts", create(note, tags=options.get("tags"), responders=options.get("responders")))]
    if note.event == "escalate":  # create dedups on alias (a channel may first hear of it now); then priority
        return [("POST", "/v2/alerts", create(note, tags=options.get("tags"), responders=options.get("responders"))),
                ("PUT", f"/v2/alerts/{alias}/priority?identifierType=alias",
                 {"priority": PRIORITY.get(note.severity, "P3")})]
    if note.event == "acknowledge":
        return [("POST", f"/v2/alerts/{alias}/acknowledge?identifierType=alias",
                 {"user": by, "source": SOURCE, "note": _cut(note.text, 25000)})]
    return [("POST", f"/v2/alerts/{alias}/close?identifierType=alias",
             {"user": SOURCE, "source": SOURCE, "note": _cut(note.text, 25000)})]


def send(note: Notification, options: dict, *, timeout: float, idempotency_key: str) -> Result:
    base = (options.get("url") or BASE[options.get("region", "us")]).rstrip("/")
    result = Result(False, error="nothing to send")
    for method, path, body in requests(note, options):
        result = post_json(base + path, body, {"Authorization": f"GenieKey {options['api_key']}"},
                           timeout=timeout, method=method)
        if not result.ok:
            return result
    return result
