"""Real local receivers for the delivery tests: a threaded HTTP server on 127.0.0.1 that records every
request (and can answer with errors first), and aiosmtpd as the SMTP sink."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw)


@dataclass
class Receiver:
    url: str
    requests: list[Request] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer first, one per request

    def under(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def clear(self) -> None:
        self.requests.clear()


@pytest.fixture
def receiver():
    box = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _handle(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                box.requests.append(Request(self.command, self.path, dict(self.headers.items()), raw))
                status = box.fail_next.pop(0) if box.fail_next else (202 if "/v2/" in self.path else 200)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"status": "ok"}' if status < 400 else b'{"error": "boom"}')

        do_POST = do_PUT = _handle

        def log_message(self, *args):  # keep test output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


@dataclass
class Mail:
    mail_from: str
    to: list[str]
    content: bytes

    @property
    def subject(self) -> str:
        import email

        return str(email.message_from_bytes(self.content)["Subject"])

    @property
    def text(self) -> str:
        import email

        msg = email.message_from_bytes(self.content)
        return msg.get_payload(decode=True).decode()


@pytest.fixture
def smtp_sink():
    class Handler:
        def __init__(self):
            self.mails: list[Mail] = []

        async def handle_DATA(self, server, session, envelope):
            self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    handler.port = port
    yield handler
    controller.stop()
