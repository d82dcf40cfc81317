"""E-mail over TLS for real: aiosmtpd with a self-signed certificate for 127.0.0.1 (trusted through
SSL_CERT_FILE), STARTTLS required before login on 587-style servers, implicit TLS on 465-style ones."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from analytics.alerts import config as alert_config
from analytics.alerts.channels import Notification
from analytics.alerts.outbox import attempt

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is needed to make a test certificate")


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "key.pem"),
                    "-out", str(d / "cert.pem")], check=True, capture_output=True)
    return d / "cert.pem", d / "key.pem"


def _tls(server) -> bool:
    """Whether the session's connection is encrypted (after STARTTLS, or from the first byte)."""
    return server.transport.get_extra_info("ssl_object") is not None


class Sink:
    def __init__(self):
        self.mails, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((_tls(server), envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_goes_over_tls_with_login(cert, security, monkeypatch):
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*map(str, cert))
    sink, port = Sink(), _port()

    def authenticator(server, session, envelope, mechanism, auth_data):
        sink.logins.append((auth_data.login.decode(), auth_data.password.decode(), _tls(server)))
        return AuthResult(success=auth_data.password == b"pw-123")

    # aiosmtpd's auth_require_tls looks at STARTTLS only; on an implicit-TLS server the whole session is TLS
    kw = ({"tls_context": ctx, "require_starttls": True, "auth_require_tls": True} if security == "starttls"
          else {"ssl_context": ctx, "auth_require_tls": False})
    controller = Controller(sink, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            server_hostname="127.0.0.1", **kw)
    controller.start()
    try:
        monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # trust the test certificate, verification stays on
        monkeypatch.setenv("SMTP_PASSWORD", "pw-123")
        cfg = alert_config.parse({"channels": {"mail": {
            "kind": "email", "host": "127.0.0.1", "port": port, "security": security, "username": "sb",
            "password": "env:SMTP_PASSWORD", "from": "sb@example.com", "to": ["ops@example.com"]}}})
        note = Notification(event_key="a:open", event="open", subject_id="a", event_at=datetime.now(UTC),
                            title="Critical alert: M", text="Upstream feed failing", severity="critical")
        result, tries = attempt(cfg.channels["mail"], note, cfg, sleep=lambda s: None)
        assert result.ok, result.error
        assert tries == 1
        assert sink.logins == [("sb", "pw-123", True)]  # the password only ever crossed TLS
        assert [(tls, to) for tls, to, _ in sink.mails] == [(True, ["ops@example.com"])]
    finally:
        controller.stop()
