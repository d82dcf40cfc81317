"""Slack incoming webhook with Block Kit: a header, the message, up to ten fields and a link button.

Limits kept (Slack's Block Kit reference): header text <= 150 characters, section text <= 3000, at most
10 fields of <= 2000 characters each; ``text`` is the notification fallback.
"""

from __future__ import annotations

from analytics.alerts.channels.base import Notification, Result, post_json

ICON = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}
DONE_ICON = ":white_check_mark:"


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def payload(note: Notification) -> dict:
    icon = DONE_ICON if note.is_closing else ICON.get(note.severity, ICON["info"])
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(note.title, 150), "emoji": True}},
        {"type": "section", "text": {"type": "mrkdwn", "text": _cut(f"{icon} {note.text}", 3000)}},
    ]
    if note.fields:
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": _cut(f"*{k}*\n{v}", 2000)} for k, v in list(note.fields.items())[:10]]})
    if note.link:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Open in Scaleboard"}, "url": note.link}]})
    blocks.append({"type": "context", "elements": [
        {"type": "mrkdwn", "text": f"Scaleboard · {note.event.replace('_', ' ')} · {note.subject_id}"}]})
    return {"text": _cut(f"{note.title}: {note.text}", 3000), "blocks": blocks}


def send(note: Notification, options: dict, *, timeout: float, idempotency_key: str) -> Result:
    return post_json(options["webhook_url"], payload(note), timeout=timeout)
