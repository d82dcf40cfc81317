"""Delivery over three refreshes that open, escalate and resolve alerts, against real receivers on
127.0.0.1 (an HTTP server recording requests; aiosmtpd). Each refresh is what `scaleboard refresh`
runs: the evaluation's ``alerts.sync`` then ``alerts.deliver``."""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from analytics import alerts, sql
from analytics.alerts import actions
from analytics.lakehouse import storage

T1 = datetime(2026, 10, 5, 6, tzinfo=UTC)
T2, T3, T4 = T1 + timedelta(days=1), T1 + timedelta(days=2), T1 + timedelta(days=3)
SECRET = "hook-secret-123"

DRIFT = alerts.Breach(model_id="basket", kind="drift", severity="warning", metric="wasserstein",
                      subject="basket_size", value=0.12, threshold=0.1,
                      window_start_at=datetime(2026, 10, 1, tzinfo=UTC), window_end_at=None,
                      message="Input drift in basket_size since 1 October 2026 (wasserstein 0.12, threshold 0.10)")
DRIFT_WORSE = replace(DRIFT, severity="critical", value=0.24,
                      message="Input drift in basket_size since 1 October 2026 (wasserstein 0.24, threshold 0.10)")
FEED = alerts.Breach(model_id="credit", kind="freshness", severity="critical", metric="fresh", subject="crm",
                     value=450.0, threshold=48.0, window_start_at=datetime(2026, 10, 4, tzinfo=UTC),
                     window_end_at=None, message="Upstream feed crm failing freshness (newest data 19 days old)")


def _config(root, receiver, smtp_port: int | None, extra: str = "", routes: str | None = None,
            retries: int = 3) -> None:
    folder = root / storage.CONFIG
    folder.mkdir(exist_ok=True)
    (folder / "alerting.yaml").write_text(f"""\
defaults: {{retries: {retries}, backoff_seconds: 0.5, timeout_seconds: 5, app_url: "https://sb.example.com"}}
channels:
  hook: {{kind: webhook, url: "{receiver.url}/hook", secret: "env:TEST_HOOK_SECRET"}}
  chat: {{kind: slack, webhook_url: "env:TEST_SLACK_URL"}}
  mail: {{kind: email, host: 127.0.0.1, port: {smtp_port or 1}, security: none, from: sb@example.com,
          to: [ops@example.com]}}
  pd: {{kind: pagerduty, routing_key: "env:TEST_PD_KEY", url: "{receiver.url}/pd/v2/enqueue"}}
  og: {{kind: opsgenie, api_key: "secret:opsgenie_key", url: "{receiver.url}/og"}}
{extra}
routes:
{routes or '''  - {channels: [hook, mail]}
  - match: {business_unit: Retail}
    channels: [chat]
  - match: {severity: critical}
    channels: [pd, og]'''}
""")


@pytest.fixture
def lake_env(lake, receiver, monkeypatch, tmp_path):
    lake.put("models", [
        {"model_id": "basket", "name": "Basket recommender", "business_unit": "Retail", "stage": "production",
         "task": "classification"},
        {"model_id": "credit", "name": "Credit scoring", "business_unit": "Finance", "stage": "production",
         "task": "classification"}])
    lake.put("value_ledger", [{"month": date(2026, 9, 1), "model_id": "basket", "category": "cost_savings",
                               "amount_usd": 12_000.0, "attribution": "estimated", "entered_at": T1}])
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[alerting]\nopsgenie_key = "og-key-1"\n')
    monkeypatch.setenv("SCALEBOARD_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    monkeypatch.setenv("TEST_SLACK_URL", f"{receiver.url}/slack")
    monkeypatch.setenv("TEST_PD_KEY", "pd-routing-key-0123456789abcdef0")
    return lake


def _refresh(root, breaches, at, sleeps=None):
    alerts.sync(root, breaches, kinds=("drift", "freshness"), now=at)
    report = alerts.deliver(root, now=at, sleep=(sleeps.append if sleeps is not None else lambda s: None))
    assert not report.error, report.error
    return report


# ---------------------------------------------------------------- published field rules

PD_KEYS = {"routing_key", "event_action", "dedup_key", "payload", "images", "links", "client", "client_url"}
PD_PAYLOAD_KEYS = {"summary", "source", "severity", "timestamp", "component", "group", "class", "custom_details"}


def check_pagerduty(body: dict) -> None:
    """PagerDuty Events API v2 (developer.pagerduty.com, 'Send an Alert Event')."""
    assert set(body) <= PD_KEYS
    assert isinstance(body["routing_key"], str) and body["routing_key"]
    assert body["event_action"] in ("trigger", "acknowledge", "resolve")
    assert isinstance(body["dedup_key"], str) and 0 < len(body["dedup_key"]) <= 255
    if body["event_action"] != "trigger":
        assert set(body) == {"routing_key", "event_action", "dedup_key"}
        return
    p = body["payload"]
    assert set(p) <= PD_PAYLOAD_KEYS and {"summary", "source", "severity"} <= set(p)
    assert 0 < len(p["summary"]) <= 1024 and p["source"]
    assert p["severity"] in ("critical", "error", "warning", "info")
    datetime.fromisoformat(p["timestamp"])
    assert isinstance(p.get("custom_details", {}), dict)
    for link in body.get("links", []):
        assert set(link) <= {"href", "text"} and link["href"].startswith("https://")


OG_CREATE_KEYS = {"message", "alias", "description", "responders", "visibleTo", "actions", "tags", "details",
                  "entity", "source", "priority", "user", "note"}


def check_opsgenie(method: str, path: str, headers: dict, body: dict) -> str:
    """Opsgenie Alert API (docs.opsgenie.com, 'Alert API'); returns the action."""
    assert headers["Authorization"] == "GenieKey og-key-1"
    if method == "POST" and path == "/og/v2/alerts":
        assert set(body) <= OG_CREATE_KEYS
        assert 0 < len(body["message"]) <= 130 and len(body["alias"]) <= 512
        assert len(body["description"]) <= 15000 and len(body["entity"]) <= 512 and len(body["source"]) <= 100
        assert len(body["tags"]) <= 20 and all(len(t) <= 50 for t in body["tags"])
        assert all(isinstance(v, str) for v in body["details"].values())
        assert body["priority"] in ("P1", "P2", "P3", "P4", "P5")
        return "create"
    alias, _, rest = path.removeprefix("/og/v2/alerts/").partition("/")
    assert len(alias) <= 512
    action, _, query = rest.partition("?")
    assert query == "identifierType=alias"
    if action == "priority":
        assert method == "PUT" and set(body) == {"priority"} and body["priority"] in ("P1", "P3")
        return "priority"
    assert method == "POST" and action in ("acknowledge", "close")
    assert set(body) <= {"user", "source", "note"} and len(body["user"]) <= 100 and len(body["source"]) <= 100
    assert len(body["note"]) <= 25000
    return action


def check_slack(body: dict) -> None:
    """Block Kit (api.slack.com/reference/block-kit): header <= 150 chars, section text <= 3000, <= 10 fields."""
    assert body["text"]
    types = [b["type"] for b in body["blocks"]]
    assert types[0] == "header" and body["blocks"][0]["text"]["type"] == "plain_text"
    assert len(body["blocks"][0]["text"]["text"]) <= 150
    for b in body["blocks"]:
        if b["type"] == "section":
            assert len(b.get("text", {}).get("text", "")) <= 3000 and len(b.get("fields", [])) <= 10


def summarize(receiver, smtp) -> dict[str, list]:
    """What each channel received, checked against its rules, in arrival order."""
    drift_id, feed_id = DRIFT.alert_id(), FEED.alert_id()
    name = {drift_id: "drift", feed_id: "feed"}
    out: dict[str, list] = {"hook": [], "chat": [], "mail": [], "pd": [], "og": []}
    for r in receiver.requests:
        body = r.json
        if r.path == "/hook":
            expected = "sha256=" + hmac.new(SECRET.encode(), r.raw, hashlib.sha256).hexdigest()
            assert r.headers["X-Scaleboard-Signature"] == expected
            assert r.headers["Idempotency-Key"] == body["idempotency_key"]
            out["hook"].append((body["event"], name[body["subject_id"]], body["severity"]))
        elif r.path == "/slack":
            check_slack(body)
            out["chat"].append(body["blocks"][0]["text"]["text"])
        elif r.path.startswith("/pd/"):
            check_pagerduty(body)
            sev = body.get("payload", {}).get("severity")
            out["pd"].append((body["event_action"], name[body["dedup_key"]], sev))
        elif r.path.startswith("/og/"):
            action = check_opsgenie(r.method, r.path, r.headers, body)
            alias = body.get("alias") or r.path.removeprefix("/og/v2/alerts/").partition("/")[0]
            out["og"].append((action, name[alias], body.get("priority")))
    for m in smtp.mails:
        assert m.to == ["ops@example.com"] and m.mail_from == "sb@example.com"
        out["mail"].append(m.subject)
    receiver.clear()
    smtp.mails.clear()
    return {k: sorted(v, key=str) for k, v in out.items()}


def test_three_refreshes_open_escalate_resolve_exactly_once_per_channel(lake_env, receiver, smtp_sink):
    root = lake_env.root
    _config(root, receiver, smtp_sink.port)

    # refresh 1: the drift alert opens as a warning (Retail), the feed alert as critical (Finance)
    _refresh(root, [DRIFT, FEED], T1)
    assert summarize(receiver, smtp_sink) == {
        "hook": [("open", "drift", "warning"), ("open", "feed", "critical")],
        "chat": ["Warning alert: Basket recommender"],
        "mail": ["Critical alert: Credit scoring", "Warning alert: Basket recommender"],
        "pd": [("trigger", "feed", "critical")],
        "og": [("create", "feed", "P1")],
    }
    # refresh 2: the drift alert's value doubles and it becomes critical; the feed alert is unchanged
    _refresh(root, [DRIFT_WORSE, FEED], T2)
    assert summarize(receiver, smtp_sink) == {
        "hook": [("escalate", "drift", "critical")],
        "chat": ["Escalated to critical: Basket recommender"],
        "mail": ["Escalated to critical: Basket recommender"],
        "pd": [("trigger", "drift", "critical")],  # PagerDuty first hears of it now (critical route)
        "og": [("create", "drift", "P1"), ("priority", "drift", "P1")],
    }
    # a refresh that changes nothing sends nothing
    report = _refresh(root, [DRIFT_WORSE, FEED], T2 + timedelta(hours=1))
    assert report.n_sent == 0 and summarize(receiver, smtp_sink) == {k: [] for k in ("hook", "chat", "mail",
                                                                                        "pd", "og")}
    # refresh 3: both breaches are gone
    _refresh(root, [], T3)
    assert summarize(receiver, smtp_sink) == {
        "hook": [("resolve", "drift", "critical"), ("resolve", "feed", "critical")],
        "chat": ["Resolved: Basket recommender"],
        "mail": ["Resolved: Basket recommender", "Resolved: Credit scoring"],
        "pd": [("resolve", "drift", None), ("resolve", "feed", None)],
        "og": [("close", "drift", None), ("close", "feed", None)],
    }
    _refresh(root, [], T4)
    assert not receiver.requests and not smtp_sink.mails
    # the log: one 'sent' row per event and channel: 7 + 5 + 9 notifications above
    con = lake_env.con()
    assert con.sql("select count(*), count(distinct (event_key, channel)), bool_and(status = 'sent') "
                   "from alert_deliveries").fetchall() == [(7 + 5 + 9, 21, True)]


def test_payloads_carry_the_alert_in_words_and_numbers(lake_env, receiver, smtp_sink):
    root = lake_env.root
    _config(root, receiver, smtp_sink.port)
    _refresh(root, [DRIFT], T1)
    hook = next(r for r in receiver.requests if r.path == "/hook").json
    assert hook["data"]["alert_id"] == DRIFT.alert_id() and hook["data"]["value"] == 0.12
    assert hook["fields"]["Value at risk / month"] == "$12,000" and hook["fields"]["Since"] == "1 Oct 2026"
    assert hook["link"] == "https://sb.example.com/drift?model=basket&feature=basket_size"
    assert hook["event_key"] == f"{DRIFT.alert_id()}:open"
    slack = next(r for r in receiver.requests if r.path == "/slack").json
    assert DRIFT.message in slack["blocks"][1]["text"]["text"]
    (mail,) = smtp_sink.mails
    assert DRIFT.message in mail.text and "Value at risk / month: $12,000" in mail.text
    assert email.utils.parseaddr(mail.mail_from)[1] == "sb@example.com"


def test_failing_receiver_is_retried_with_backoff_then_recorded_then_delivered(lake_env, receiver):
    root = lake_env.root
    _config(root, receiver, None, routes="  - {channels: [hook]}", retries=2)
    receiver.fail_next = [500, 500, 503]
    sleeps: list[float] = []
    report = _refresh(root, [DRIFT], T1, sleeps)
    assert (report.n_sent, report.n_failed) == (0, 1) and sleeps == [0.5]
    con = lake_env.con()
    failed = sql.run(con, "alert_deliveries_recent", status="failed", limit=10)
    assert failed.select("channel", "event", "attempts", "http_status").rows() == [("hook", "open", 2, 500)]
    assert "HTTP 500" in failed["error"][0]
    # next refresh: the alert resolved meanwhile; the open is retried first (503, then OK), then the resolve
    report = _refresh(root, [], T2, sleeps)
    assert (report.n_sent, report.n_failed) == (2, 0) and sleeps == [0.5, 0.5]
    events = [(r.json["event"], r.headers["Idempotency-Key"]) for r in receiver.requests]
    open_key = events[0][1]
    assert events[:4] == [("open", open_key)] * 4 and events[4][0] == "resolve" and events[4][1] != open_key
    con = lake_env.con()
    latest = sql.run(con, "alert_deliveries_recent", status=None, limit=10)
    assert sorted(latest.select("event", "status", "n_runs").rows()) == [("open", "sent", 2), ("resolve", "sent", 1)]


def test_unreachable_channel_never_raises_and_is_retried(lake_env, receiver):
    root = lake_env.root
    _config(root, receiver, None, routes="  - {channels: [mail]}", retries=1)  # port 1: nothing listens
    report = _refresh(root, [FEED], T1)
    assert report.n_failed == 1 and "mail" in report.failures[0]
    report = alerts.deliver(root, now=T1 + timedelta(minutes=15))
    assert report.n_failed == 1  # tried again on the next run, not lost
    assert lake_env.con().sql("select count(*) from alert_deliveries where status = 'failed'").fetchall() == [(2,)]


def test_acknowledged_alert_is_not_resent_and_snooze_holds_it(lake_env, receiver, smtp_sink):
    root = lake_env.root
    _config(root, receiver, smtp_sink.port)
    _refresh(root, [DRIFT, replace(FEED, severity="warning")], T1)
    summarize(receiver, smtp_sink)
    actions.acknowledge(root, DRIFT.alert_id(), actor="dana", reason="Retraining on the new season",
                        role="data_scientist", page="drift", now=T1 + timedelta(hours=1))
    actions.snooze(root, FEED.alert_id(), actor="dana", hours=30, reason="Vendor fixes it tomorrow",
                   now=T1 + timedelta(hours=1))
    _refresh(root, [DRIFT_WORSE, FEED], T2)  # both escalate to critical
    got = summarize(receiver, smtp_sink)
    # the acknowledgement reaches the lifecycle channel that heard of the alert; nothing is re-sent
    assert got == {"hook": [("acknowledge", "drift", "warning")], "chat": [], "mail": [], "pd": [], "og": []}
    con = lake_env.con()
    assert con.sql("select channel, status, error from alert_deliveries where event = 'escalate' order by channel"
                   ).fetchall() == [(c, "suppressed", "acknowledged by dana") for c in ("chat", "hook", "mail", "og",
                                                                                     "pd")]
    audit = con.sql("select actor, role, action, target, page from audit_log").fetchall()
    assert ("dana", "data_scientist", "alert.acknowledge", DRIFT.alert_id(), "drift") in audit
    assert any(a[2] == "alert.snooze" for a in audit)
    # the snooze (30 h from T1 + 1 h) ends before T3: the held escalation of the feed alert goes out then
    _refresh(root, [DRIFT_WORSE, FEED], T2 + timedelta(hours=2))
    assert summarize(receiver, smtp_sink)["hook"] == []
    _refresh(root, [DRIFT_WORSE, FEED], T3)
    got = summarize(receiver, smtp_sink)
    assert got["hook"] == [("escalate", "feed", "critical")] and got["pd"] == [("trigger", "feed", "critical")]
    with pytest.raises(Exception, match="already acknowledged"):
        actions.acknowledge(root, DRIFT.alert_id(), actor="eve", reason="me too")


def test_first_delivery_on_an_old_lakehouse_sends_only_recent_events(lake_env, receiver):
    root = lake_env.root
    alerts.sync(root, [FEED], kinds=("freshness",), now=T1 - timedelta(days=30))
    alerts.sync(root, [], kinds=("freshness",), now=T1 - timedelta(days=29))
    _config(root, receiver, None, routes="  - {channels: [hook]}")
    assert _refresh(root, [DRIFT], T1).n_sent == 1
    assert [r.json["event"] for r in receiver.requests] == ["open"]
    assert json.loads(receiver.requests[0].raw)["subject_id"] == DRIFT.alert_id()
