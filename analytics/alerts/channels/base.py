"""What every channel receives (``Notification``) and returns (``Result``), and the one HTTP helper."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

USER_AGENT = "Scaleboard-alerts/1"


@dataclass(frozen=True)
class Notification:
    """One lifecycle event of one alert or stewardship task, in words and fields."""

    event_key: str  # "<subject_id>:<event>", unique per event
    event: str  # open | escalate | acknowledge | resolve | task_open | task_close | test
    subject_id: str  # alert_id or task_id: the stable dedup key for incident tools
    event_at: datetime
    title: str  # one line, e.g. "Critical: input drift in basket_size (Basket recommender)"
    text: str  # the alert's message in plain words
    severity: str  # warning | critical | info
    fields: dict[str, str] = field(default_factory=dict)  # label -> shown value
    link: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # the raw alert or task row (JSON-safe)
    recipient: str | None = None  # a steward's e-mail address for task events
    actor: str | None = None  # who acknowledged

    @property
    def is_closing(self) -> bool:
        return self.event in ("resolve", "task_close")


@dataclass(frozen=True)
class Result:
    ok: bool
    http_status: int | None = None
    error: str = ""
    retryable: bool = True  # network errors, 429 and 5xx are retried; other 4xx are not (bad config)


def post_json(url: str, body: dict | bytes, headers: dict[str, str] | None = None, *, timeout: float,
              method: str = "POST") -> Result:
    """Send JSON; 2xx is success. Never raises."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", "User-Agent": USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - configured https/http URL
            return Result(True, resp.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        return Result(False, exc.code, f"HTTP {exc.code} {exc.reason}" + (f": {detail}" if detail else ""),
                      retryable=exc.code == 429 or exc.code >= 500)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Result(False, None, f"could not reach {url.split('?')[0]}: {reason}")


def json_safe(row: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
