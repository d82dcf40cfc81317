"""The weekly digest arrives: at a real SMTP sink (aiosmtpd on 127.0.0.1) with the PDF and the XLSX
attached and readable, at a real local HTTP receiver as a Slack payload; a failed render still sends
the summary, says why, copies the owner and exits 1."""

from __future__ import annotations

import json
import shutil
import socket
import threading
from datetime import UTC, datetime
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from aiosmtpd.controller import Controller
from pdfcheck import text
from xlsxcheck import Workbook

from analytics import alerts
from analytics.alerts import Breach
from analytics.cli import main
from analytics.lakehouse import connection
from analytics.product import roi
from analytics.readiness import summary
from analytics.report import fmt
from analytics.report.scope import resolve

AS_OF = datetime(2030, 1, 7, tzinfo=UTC)  # the week 31 Dec 2029 - 6 Jan 2030
SHEETS = ["Headline figures", "Models that need attention", "Value by month", "Value by business unit",
          "Models that never paid off", "Readiness to scale"]


def _breach(model_id: str, message: str, day: int, month: int = 1, year: int = 2030) -> Breach:
    at = datetime(year, month, day, tzinfo=UTC)
    return Breach(model_id, "drift", "critical", "wasserstein", f"f_{day}", 1.0, 0.1, at, at, message)


@pytest.fixture(scope="module")
def lake(demo_root, tmp_path_factory):
    """The demo lakehouse with a hand-made week: one alert opened in it, one opened before it, and the
    open freshness alerts resolved in it."""
    root = tmp_path_factory.mktemp("digest") / "lakehouse"
    shutil.copytree(demo_root, root)
    alerts.raise_alerts(root, [_breach("fraud_detection", "Before the week: not listed", 20, 12, 2029)],
                        now=datetime(2029, 12, 20, tzinfo=UTC))
    alerts.raise_alerts(root, [_breach("fraud_detection", "Input drift in amount since 2 January 2030", 2)],
                        now=datetime(2030, 1, 3, tzinfo=UTC))
    con = connection.connect(root)
    freshness = alerts.open_alerts(con).filter(kind="freshness")
    con.close()
    assert freshness.height > 0
    resolved = alerts.resolve_missing(root, [], kinds=("freshness",), now=datetime(2030, 1, 5, tzinfo=UTC))
    assert resolved == freshness.height
    return root, freshness


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Sink:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    sink, port = _Sink(), _free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"HOST": "127.0.0.1", "PORT": str(port), "STARTTLS": "false", "FROM": "board@acme.test"}.items():
        monkeypatch.setenv(f"SCALEBOARD_SMTP_{key}", value)
    yield sink
    controller.stop()


def _parts(envelope):
    msg = message_from_bytes(envelope.content, policy=policy.default)
    files = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
    return msg, msg.get_body(("plain",)).get_content().replace("\r\n", "\n"), files


def test_digest_arrives_with_pdf_and_xlsx_and_the_week_alerts(lake, smtp, capsys):
    root, freshness = lake
    code = main(["digest", "--lakehouse", str(root), "--to", "ceo@acme.test", "cfo@acme.test",
                 "--as-of", AS_OF.isoformat()])
    assert code == 0, capsys.readouterr()
    [envelope] = smtp.envelopes
    assert sorted(envelope.rcpt_tos) == ["ceo@acme.test", "cfo@acme.test"]
    msg, body, files = _parts(envelope)
    assert msg["Subject"] == (f"Scaleboard weekly digest, 31 Dec – 6 Jan 2030: 1 alert(s) opened, "
                              f"{freshness.height} resolved")
    assert sorted(files) == ["scaleboard-overview-20300107.pdf", "scaleboard-overview-20300107.xlsx"]
    # the attachments open: the PDF's text carries the same headline figure as the body
    con = connection.connect(root)
    scope = resolve(con)
    v = roi.portfolio_value(con, scope)
    rd = summary.readiness_summary(con, as_of=AS_OF.date())
    con.close()
    pdf_text = text(files["scaleboard-overview-20300107.pdf"])
    assert f"Value delivered {fmt.usd(v.net_usd)}" in pdf_text
    assert f"Value delivered: {fmt.usd(v.net_usd)} ({fmt.delta('usd', v.net_usd, v.prev_net_usd)}" in body
    assert Workbook(files["scaleboard-overview-20300107.xlsx"]).names() == SHEETS
    # the week's alerts, from the alerts table: opened in the week, not before it; resolved in the week
    opened = body.split("Alerts opened this week (1)")[1].split("Alerts resolved")[0]
    assert "[critical] Card fraud detection (Finance): Input drift in amount since 2 January 2030" in opened
    assert "Before the week" not in body
    resolved = body.split(f"Alerts resolved this week ({freshness.height})")[1].split("Value and ROI")[0]
    for message in freshness["message"]:
        assert message in resolved
    assert (f"Readiness\n- {fmt.pct(rd.share_done)} done ({rd.n_done} of {rd.n_items}), {rd.n_overdue} late, "
            f"{rd.n_blocked} blocked") in body
    assert "Attached: the overview as PDF" in body


def test_failed_render_sends_the_summary_without_attachments_and_tells_the_owner(lake, smtp, monkeypatch, capsys):
    from analytics.report import overview

    def broken(*_, **__):
        raise RuntimeError("chart renderer crashed")

    monkeypatch.setattr(overview, "render_pdf", broken)
    root, _ = lake
    code = main(["digest", "--lakehouse", str(root), "--to", "ceo@acme.test", "--owner", "ops@acme.test",
                 "--as-of", AS_OF.isoformat()])
    assert code == 1
    assert "PDF: RuntimeError: chart renderer crashed" in capsys.readouterr().err
    [envelope] = smtp.envelopes
    assert sorted(envelope.rcpt_tos) == ["ceo@acme.test", "ops@acme.test"]
    msg, body, files = _parts(envelope)
    assert files == {} and msg["Cc"] == "ops@acme.test"
    assert "could not be rendered, so this e-mail has none: PDF: RuntimeError: chart renderer crashed" in body
    assert "Alerts opened this week (1)" in body  # the summary itself still arrives


def test_missing_smtp_settings_exit_2_and_send_nothing(lake, monkeypatch, capsys):
    monkeypatch.delenv("SCALEBOARD_SMTP_HOST", raising=False)
    assert main(["digest", "--lakehouse", str(lake[0]), "--to", "ceo@acme.test"]) == 2
    assert "SCALEBOARD_SMTP_HOST" in capsys.readouterr().err


class _Receiver(BaseHTTPRequestHandler):
    status = 200
    posts: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).posts.append((self.path, self.headers["Content-Type"], body))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def slack(monkeypatch):
    class Receiver(_Receiver):
        posts = []

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SCALEBOARD_SLACK_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook/T0/B0")
    yield Receiver
    server.shutdown()
    server.server_close()


def test_slack_gets_the_summary_with_a_note_instead_of_files(lake, slack, capsys):
    root, freshness = lake
    assert main(["digest", "--channel", "slack", "--lakehouse", str(root), "--as-of", AS_OF.isoformat()]) == 0
    [(path, content_type, body)] = slack.posts
    assert path == "/hook/T0/B0" and content_type == "application/json"
    payload = json.loads(body)
    assert payload["text"].startswith("Scaleboard weekly digest, 31 Dec – 6 Jan 2030: 1 alert(s) opened")
    blocks = payload["blocks"]
    assert blocks[0]["type"] == "header"
    sections = {b["text"]["text"].split("\n")[0]: b["text"]["text"] for b in blocks if b["type"] == "section"}
    assert "Input drift in amount since 2 January 2030" in sections["*Alerts opened this week (1)*"]
    assert f"*Alerts resolved this week ({freshness.height})*" in sections
    assert "cannot carry files" in blocks[-1]["elements"][0]["text"]


def test_slack_refusal_is_an_error(lake, slack, capsys):
    slack.status = 500
    assert main(["digest", "--channel", "slack", "--lakehouse", str(lake[0]), "--as-of", AS_OF.isoformat()]) == 2
    assert "Slack refused the digest: HTTP 500" in capsys.readouterr().err


def test_a_digest_that_cannot_be_built_tells_the_owner(lake, smtp, monkeypatch, capsys):
    from analytics.report import digest

    def broken(*_, **__):
        raise OSError("lakehouse volume unmounted")

    monkeypatch.setattr(digest, "build", broken)
    assert main(["digest", "--lakehouse", str(lake[0]), "--to", "ceo@acme.test", "--owner", "ops@acme.test"]) == 1
    [envelope] = smtp.envelopes
    assert envelope.rcpt_tos == ["ops@acme.test"]  # the owner, not the board
    msg, body, files = _parts(envelope)
    assert msg["Subject"] == "Scaleboard weekly digest could not be built" and files == {}
    assert "OSError: lakehouse volume unmounted" in body
