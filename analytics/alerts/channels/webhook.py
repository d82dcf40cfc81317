"""Generic webhook: one JSON POST per event, signed with HMAC-SHA256 and carrying an idempotency key.

Headers: ``X-Scaleboard-Signature: sha256=<hex HMAC of the raw body with the channel's secret>``,
``Idempotency-Key`` (the same on every retry of one event to one channel, so a receiver can drop
duplicates) and ``X-Scaleboard-Event``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from analytics.alerts.channels.base import Notification, Result, json_safe, post_json

SIGNATURE_HEADER = "X-Scaleboard-Signature"


def payload(note: Notification, *, idempotency_key: str, sent_at: datetime | None = None) -> dict:
    return {"idempotency_key": idempotency_key, "event": note.event, "event_key": note.event_key,
            "subject_id": note.subject_id, "event_at": note.event_at.isoformat(),
            "sent_at": (sent_at or datetime.now(UTC)).isoformat(), "severity": note.severity,
            "title": note.title, "text": note.text, "link": note.link, "actor": note.actor,
            "fields": note.fields, "data": json_safe(note.data)}


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send(note: Notification, options: dict, *, timeout: float, idempotency_key: str) -> Result:
    body = json.dumps(payload(note, idempotency_key=idempotency_key), sort_keys=True).encode()
    headers = {**{str(k): str(v) for k, v in (options.get("headers") or {}).items()},
               SIGNATURE_HEADER: signature(options["secret"], body), "Idempotency-Key": idempotency_key,
               "X-Scaleboard-Event": note.event}
    return post_json(options["url"], body, headers, timeout=timeout)
