"""Sending the digest: e-mail over SMTP (stdlib ``smtplib``) or a Slack incoming webhook.

Settings come from the environment only (never the lakehouse), read once into a small typed object:

* ``SCALEBOARD_SMTP_HOST`` (required for e-mail), ``SCALEBOARD_SMTP_PORT`` (default 587 with
  STARTTLS, 25 without; 465 means implicit TLS), ``SCALEBOARD_SMTP_USER`` / ``SCALEBOARD_SMTP_PASSWORD``
  (log in when a user is set), ``SCALEBOARD_SMTP_STARTTLS`` (default ``true``),
  ``SCALEBOARD_SMTP_FROM`` (default: the user when it is an address, else ``scaleboard@localhost``).
* ``SCALEBOARD_SLACK_WEBHOOK``: the incoming-webhook URL (https; http only for 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlparse

from analytics.errors import InputError, ScaleboardError

PDF_TYPE = ("application", "pdf")
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
TIMEOUT_S = 30


class DeliveryError(ScaleboardError):
    """The mail server or webhook refused or could not be reached."""


def _flag(raw: str | None, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise InputError(f"SCALEBOARD_SMTP_STARTTLS={raw!r}: use true or false.")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    sender: str

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> SmtpSettings:
        env = dict(os.environ if env is None else env)
        host = env.get("SCALEBOARD_SMTP_HOST", "").strip()
        if not host:
            raise InputError("E-mail needs an SMTP server: set SCALEBOARD_SMTP_HOST (and _PORT, _USER, "
                             "_PASSWORD, _STARTTLS as needed).")
        starttls = _flag(env.get("SCALEBOARD_SMTP_STARTTLS"), True)
        try:
            port = int(env.get("SCALEBOARD_SMTP_PORT") or (587 if starttls else 25))
        except ValueError:
            raise InputError(f"SCALEBOARD_SMTP_PORT={env['SCALEBOARD_SMTP_PORT']!r} is not a port number.") from None
        user = env.get("SCALEBOARD_SMTP_USER") or None
        sender = env.get("SCALEBOARD_SMTP_FROM") or (user if user and "@" in user else "scaleboard@localhost")
        return cls(host, port, user, env.get("SCALEBOARD_SMTP_PASSWORD") or None, starttls, sender)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime: tuple[str, str]


def email_message(settings: SmtpSettings, *, to: list[str], subject: str, body: str,
                  attachments: list[Attachment] = (), cc: list[str] = ()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, ", ".join(to), subject
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg.set_content(body)
    for a in attachments:
        msg.add_attachment(a.data, maintype=a.mime[0], subtype=a.mime[1], filename=a.filename)
    return msg


def send_email(settings: SmtpSettings, msg: EmailMessage) -> None:
    """Deliver ``msg`` to its To and Cc addresses; raises DeliveryError with the server's reason."""
    try:
        if settings.port == 465:
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT_S,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT_S)
        with server:
            if settings.starttls and settings.port != 465:
                server.starttls(context=ssl.create_default_context())
            if settings.user:
                server.login(settings.user, settings.password or "")
            server.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"The mail server {settings.host}:{settings.port} did not take the digest: "
                            f"{type(exc).__name__}: {exc}",
                            hint="Check SCALEBOARD_SMTP_HOST/PORT/USER/PASSWORD/STARTTLS.") from exc


def slack_webhook(env: dict[str, str] | None = None) -> str:
    env = dict(os.environ if env is None else env)
    url = env.get("SCALEBOARD_SLACK_WEBHOOK", "").strip()
    parsed = urlparse(url)
    local = parsed.hostname in ("127.0.0.1", "localhost")
    if not url or parsed.scheme not in ("https", "http") or (parsed.scheme == "http" and not local):
        raise InputError("Slack needs an incoming-webhook URL: set SCALEBOARD_SLACK_WEBHOOK to the https:// "
                         "address Slack gave you.")
    return url


def send_slack(url: str, payload: dict) -> None:
    """POST the payload to the webhook; raises DeliveryError unless Slack answers 2xx."""
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 (scheme checked above)
            resp.read()
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"Slack refused the digest: HTTP {exc.code} {exc.read()[:200]!r}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"Slack could not be reached: {exc}") from exc
