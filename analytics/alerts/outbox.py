"""Delivery: send every notification event each channel does not have yet, and log each outcome.

Run after each evaluation (``scaleboard refresh``, ``scaleboard check``); never raises. Under the
delivery log's lock (two overlapping runs never send one event twice) it derives the events from the
history (``events``), takes away those the log marks ``sent`` or ``suppressed`` for a channel, and
sends the rest, oldest first:

* ``open`` goes to the channels of the alert's routes; ``escalate`` to those of its new state plus
  every channel that already heard of the alert; ``acknowledge`` and ``resolve`` to the channels that
  heard of it (so an incident opened in PagerDuty is closed there however routing changed);
  acknowledgements only to webhook, PagerDuty and Opsgenie.
* An acknowledged alert is not sent again (its later escalation is logged ``suppressed``); a snoozed
  one is held until the snooze ends, then sent if still relevant.
* Each send is tried up to ``retries`` times, waiting ``backoff_seconds`` x 1, 2, 4 ... between tries
  for network errors, 429 and 5xx. A failure is logged ``failed`` (shown on the Admin page) and tried
  again on the next run while the event is younger than ``lookback_days``; later events of the same
  alert wait for it, so a channel never hears "resolved" before "opened".
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from analytics.alerts import config as alert_config
from analytics.alerts import events as alert_events
from analytics.alerts import routing
from analytics.alerts.channels import LIFECYCLE_KINDS, SENDERS, Notification, Result
from analytics.alerts.config import AlertingConfig, Channel
from analytics.lakehouse import connection, storage
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import ALERT_DELIVERIES

log = logging.getLogger(__name__)
TABLES = ["alerts", "alert_actions", "alert_deliveries", "models", "stewardship_tasks", "datasets"]


@dataclass
class DeliveryReport:
    n_sent: int = 0
    n_failed: int = 0
    n_suppressed: int = 0
    error: str = ""  # a configuration or lakehouse problem that stopped the run (nothing raised)
    failures: list[str] = field(default_factory=list)

    def line(self) -> str:
        if self.error:
            return f"alert delivery: not run ({self.error})"
        return (f"alert delivery: {self.n_sent} sent, {self.n_failed} failed (retried next run), "
                f"{self.n_suppressed} suppressed")


def recent(con, *, status: str | None = None, limit: int = 500):
    """The latest delivery of each event and channel, failed first (``alert_deliveries_recent.sql``)."""
    from analytics import sql

    return sql.run(con, "alert_deliveries_recent", status=status, limit=int(limit))


def idempotency_key(channel: str, event_key: str) -> str:
    """The same for every attempt of one event to one channel."""
    return hashlib.sha256(f"{channel}|{event_key}".encode()).hexdigest()[:32]


def attempt(channel: Channel, note: Notification, cfg: AlertingConfig, *,
            sleep: Callable[[float], None] = time.sleep) -> tuple[Result, int]:
    """Send ``note`` with bounded retries and exponential backoff; returns (last result, attempts)."""
    try:
        options = {k: alert_config.resolve(v) for k, v in channel.options.items()}
    except Exception as exc:  # a missing secret: not retried within the run, logged as failed
        return Result(False, error=str(exc), retryable=False), 0
    send = SENDERS[channel.kind]
    key = idempotency_key(channel.name, note.event_key)
    result, n = Result(False, error="not sent"), 0
    for n in range(1, cfg.retries + 1):
        try:
            result = send(note, options, timeout=cfg.timeout_seconds, idempotency_key=key)
        except Exception as exc:  # a channel bug must not stop the refresh
            result = Result(False, error=f"{type(exc).__name__}: {exc}")
        if result.ok or not result.retryable or n == cfg.retries:
            break
        sleep(cfg.backoff_seconds * 2 ** (n - 1))
    return result, n


def _row(note: Notification, channel: Channel, status: str, *, at: datetime, attempts: int = 0,
         result: Result | None = None, error: str = "") -> dict:
    return {"delivery_id": uuid.uuid4().hex, "attempted_at": at, "event_key": note.event_key,
            "subject_id": note.subject_id, "event": note.event, "channel": channel.name,
            "channel_kind": channel.kind, "status": status, "attempts": attempts,
            "http_status": result.http_status if result else None,
            "error": (error or (result.error if result else ""))[:1000] or None,
            "idempotency_key": idempotency_key(channel.name, note.event_key), "summary": note.title[:300]}


def deliver(root: Path | str, *, now: datetime | None = None, sleep: Callable[[float], None] = time.sleep,
            cfg: AlertingConfig | None = None) -> DeliveryReport:
    """Send what is pending (see the module docstring); never raises."""
    report = DeliveryReport()
    try:
        cfg = cfg or alert_config.load(root)
        if cfg is None or not cfg.channels:
            return report
        with storage.exclusive(locate(root) / "alert_deliveries"):
            _deliver(locate(root), cfg, now or datetime.now(UTC), sleep, report)
    except Exception as exc:  # the refresh goes on; the next run tries again
        report.error = f"{type(exc).__name__}: {exc}"
        report.failures.append(traceback.format_exc(limit=3))
    if report.error or report.n_failed:  # on stderr for the scheduler's log; the Admin page lists them too
        log.warning("%s%s", report.line(), "".join(f"\n  {f}" for f in report.failures[:20]))
    return report


def _deliver(root: Path, cfg: AlertingConfig, now: datetime, sleep, report: DeliveryReport) -> None:
    con = connection.connect(root, tables=TABLES)
    try:
        notes = alert_events.alert_events(con, app_url=cfg.app_url) + alert_events.task_events(con)
        log = con.sql("select event_key, subject_id, channel, status from alert_deliveries").fetchall()
        actions = con.sql("select alert_id, action, acted_at, actor, snoozed_until from alert_actions "
                          "order by acted_at").fetchall()
    finally:
        con.close()
    done = {(k, c) for k, _s, c, st in log if st in ("sent", "suppressed")}
    heard = {(s, c) for _k, s, c, st in log if st == "sent"}
    acked: dict[str, str] = {}
    snoozed: dict[str, datetime] = {}
    for alert_id, action, acted_at, actor, until in actions:
        if action == "acknowledge" and acted_at <= now:
            acked.setdefault(alert_id, actor)
        elif action == "snooze" and until is not None:
            snoozed[alert_id] = until  # the latest snooze counts
    oldest = now - timedelta(days=cfg.lookback_days)
    blocked: set[tuple[str, str]] = set()  # (subject, channel) whose earlier event failed in this run
    rows: list[dict] = []
    for note in sorted(notes, key=lambda n: n.event_at):
        if note.event_at < oldest or note.event_at > now:
            continue
        for name in _targets(cfg, note, heard):
            channel = cfg.channels[name]
            if (note.event_key, name) in done or (note.subject_id, name) in blocked:
                continue
            if note.event == "acknowledge" and channel.kind not in LIFECYCLE_KINDS:
                continue
            if note.event in ("open", "escalate") and note.subject_id in acked:
                rows.append(_row(note, channel, "suppressed", at=now,
                                 error=f"acknowledged by {acked[note.subject_id]}"))
                report.n_suppressed += 1
                continue
            if note.event == "escalate" and snoozed.get(note.subject_id, now) > now:
                blocked.add((note.subject_id, name))  # held: sent on the first run after the snooze
                continue
            if note.event.startswith("task_"):
                note = replace(note, recipient=_steward_address(cfg, note))
                if channel.kind == "email" and note.recipient is None:
                    who = note.data.get("assignee")
                    rows.append(_row(note, channel, "failed", at=now, error=(
                        f"no e-mail address for steward {who!r}: add it under stewards.addresses")))
                    report.n_failed += 1
                    blocked.add((note.subject_id, name))
                    continue
            result, n = attempt(channel, note, cfg, sleep=sleep)
            rows.append(_row(note, channel, "sent" if result.ok else "failed", at=now, attempts=n, result=result))
            if result.ok:
                report.n_sent += 1
                heard.add((note.subject_id, name))
            else:
                report.n_failed += 1
                report.failures.append(f"{name}: {note.title}: {result.error}")
                blocked.add((note.subject_id, name))
    if rows:
        storage.append(root, "alert_deliveries", pa.Table.from_pylist(rows, schema=ALERT_DELIVERIES.schema))


def _targets(cfg: AlertingConfig, note: Notification, heard: set[tuple[str, str]]) -> list[str]:
    told = [c for c in cfg.channels if (note.subject_id, c) in heard]
    if note.event in ("task_open", "task_close"):
        return list(cfg.steward_channels) if note.event == "task_open" else [
            c for c in cfg.steward_channels if c in told] or []
    if note.event == "open":
        return routing.channels_for(cfg, note.data)
    if note.event == "escalate":
        return list(dict.fromkeys(told + routing.channels_for(cfg, note.data)))
    return told  # acknowledge, resolve: where the alert was announced


def _steward_address(cfg: AlertingConfig, note: Notification) -> str | None:
    who = str(note.data.get("assignee") or "")
    address = cfg.steward_addresses.get(who) or (who if "@" in who else "")
    return address or None


def send_test(root: Path | str, channel_name: str, *, now: datetime | None = None) -> Result:
    """Send a test notification to one configured channel (PagerDuty and Opsgenie: trigger, then
    resolve, so no incident stays open); logged like any delivery. Raises ``InputError`` for an unknown
    channel or a malformed configuration."""
    from analytics.errors import InputError

    cfg = alert_config.load(root)
    if cfg is None or channel_name not in cfg.channels:
        known = ", ".join(cfg.channels) if cfg else f"none ({alert_config.path(root)} does not exist)"
        raise InputError(f"There is no alert channel '{channel_name}'. Configured: {known}.")
    channel = cfg.channels[channel_name]
    now = now or datetime.now(UTC)
    subject = f"scaleboard-test-{channel_name}"
    note = Notification(event_key=f"{subject}:{now:%Y%m%dT%H%M%S}", event="test", subject_id=subject,
                        event_at=now, title="Scaleboard test notification",
                        text=f"If you can read this, channel '{channel_name}' ({channel.kind}) works.",
                        severity="info", fields={"Channel": channel_name, "Kind": channel.kind},
                        link=cfg.app_url or None, data={"kind": "test", "name": "Scaleboard"},
                        recipient=None)
    result, n = attempt(channel, note, cfg)
    rows = [_row(note, channel, "sent" if result.ok else "failed", at=now, attempts=n, result=result)]
    if result.ok and channel.kind in ("pagerduty", "opsgenie"):
        closing = replace(note, event="resolve", event_key=note.event_key + ":resolve")
        result, n = attempt(channel, closing, cfg)
        rows.append(_row(closing, channel, "sent" if result.ok else "failed", at=now, attempts=n, result=result))
    storage.append(root, "alert_deliveries", pa.Table.from_pylist(rows, schema=ALERT_DELIVERIES.schema))
    return result
