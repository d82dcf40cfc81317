"""E-mail through apprise's SMTP plugin: ``security`` starttls (port 587), tls (implicit TLS, 465) or
none (a local relay), with an optional login. Alerts go to the channel's ``to``; stewardship task
events go to the steward's address."""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

import apprise

from analytics.alerts.channels.base import Notification, Result

MODE = {"starttls": ("mailtos", "starttls"), "tls": ("mailtos", "ssl"), "none": ("mailto", "insecure")}
PORT = {"starttls": 587, "tls": 465, "none": 25}


def body(note: Notification) -> str:
    lines = [note.text, ""] + [f"{k}: {v}" for k, v in note.fields.items()]
    if note.link:
        lines += ["", note.link]
    return "\n".join(lines + ["", f"Scaleboard · {note.event.replace('_', ' ')} · {note.subject_id}"])


def url(options: dict, to: list[str]) -> str:
    schema, mode = MODE[options.get("security", "starttls")]
    host, port = options["host"], int(options.get("port") or PORT[options.get("security", "starttls")])
    login = ""
    if options.get("username"):
        login = quote(str(options["username"]), safe="")
        if options.get("password"):
            login += ":" + quote(str(options["password"]), safe="")
        login += "@"
    query = urlencode({"smtp": host, "from": options["from"], "to": ",".join(to), "mode": mode})
    return f"{schema}://{login}{host}:{port}?{query}"


def send(note: Notification, options: dict, *, timeout: float, idempotency_key: str) -> Result:
    to = [note.recipient] if note.recipient else list(options["to"])
    asset = apprise.AppriseAsset(storage_mode="memory")
    client = apprise.Apprise(asset=asset)
    if not client.add(url(options, to)):
        return Result(False, error=f"apprise refused the SMTP settings for {options['host']}", retryable=False)
    for server in client:
        server.socket_connect_timeout = timeout
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
        ok = client.notify(title=note.title, body=body(note), body_format=apprise.NotifyFormat.TEXT)
        problems = log.getvalue().strip()
    if ok:
        return Result(True)
    return Result(False, error=(problems.splitlines()[-1] if problems else "the SMTP server refused the message"))
