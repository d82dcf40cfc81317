"""The alerting file is validated with readable errors and keeps secrets out of the lakehouse; the
`scaleboard alerts` command lists, acknowledges, snoozes and tests channels."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from analytics import alerts
from analytics.alerts import config, routing
from analytics.cli import main
from analytics.errors import InputError
from analytics.lakehouse import storage

GOOD = """\
channels:
  hook: {kind: webhook, url: "https://example.com/h", secret: "env:HOOK_SECRET"}
  pd: {kind: pagerduty, routing_key: "secret:pd_key"}
  mail: {kind: email, host: smtp.example.com, from: a@example.com, to: b@example.com}
routes:
  - match: {business_unit: [Retail, Finance], severity: critical}
    channels: [pd]
  - {channels: [hook]}
  - match: {model_id: m1}
    channels: [mail, hook]
"""


def test_routes_take_the_union_of_matching_routes_in_order():
    cfg = config.parse(yaml.safe_load(GOOD))
    alert = {"business_unit": "Retail", "severity": "critical", "model_id": "m1", "kind": "drift"}
    assert routing.channels_for(cfg, alert) == ["pd", "hook", "mail"]
    assert routing.channels_for(cfg, {**alert, "severity": "warning"}) == ["hook", "mail"]
    assert routing.channels_for(cfg, {**alert, "business_unit": "Ops", "model_id": "m2"}) == ["hook"]
    assert cfg.channels["mail"].options["to"] == ("b@example.com",)
    assert cfg.channels["mail"].options["security"] == "starttls"  # TLS unless said otherwise


@pytest.mark.parametrize(("bad", "message"), [
    ('  pd: {kind: pagerduty, routing_key: "R0123"}', "is a secret: write env:NAME"),
    ('  pd: {kind: pager, routing_key: "env:X"}', "needs a kind"),
    ('  pd: {kind: pagerduty, routing_key: "env:X", colour: red}', "unknown field"),
    ('  pd: {kind: email, host: h, from: a@b.c, to: x@y.z, security: ssl3}', "security must be one of"),
    ("  pd: {kind: slack}", "is missing webhook_url"),
])
def test_bad_channels_are_refused_with_the_field_named(bad, message):
    text = GOOD.replace('  pd: {kind: pagerduty, routing_key: "secret:pd_key"}', bad)
    with pytest.raises(InputError, match=message):
        config.parse(yaml.safe_load(text))


def test_routes_must_name_declared_channels_and_known_keys():
    with pytest.raises(InputError, match="channel 'nope'"):
        config.parse(yaml.safe_load(GOOD + "  - {channels: [nope]}\n"))
    with pytest.raises(InputError, match="unknown key"):
        config.parse(yaml.safe_load(GOOD + "  - {match: {team: x}, channels: [hook]}\n"))


def test_secrets_come_from_the_environment_or_secrets_toml(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[alerting]\npd_key = "from-toml"\n')
    monkeypatch.setenv("SCALEBOARD_SECRETS_FILE", str(secrets))
    monkeypatch.setenv("HOOK_SECRET", "from-env")
    assert config.resolve("env:HOOK_SECRET") == "from-env"
    assert config.resolve("secret:pd_key") == "from-toml"
    monkeypatch.delenv("HOOK_SECRET")
    with pytest.raises(InputError, match="env:HOOK_SECRET is not set") as err:
        config.resolve("env:HOOK_SECRET")
    assert "from-env" not in str(err.value)


def test_malformed_file_never_breaks_delivery_in_a_refresh(lake):
    (lake.root / storage.CONFIG).mkdir()
    (lake.root / storage.CONFIG / "alerting.yaml").write_text("channels: [oops")
    report = alerts.deliver(lake.root)
    assert "not valid YAML" in report.error  # reported, not raised
    assert main(["alerts", "--lakehouse", str(lake.root), "deliver"]) == 2


def test_cli_lists_acknowledges_snoozes_and_tests_a_channel(lake, receiver, monkeypatch, capsys):
    lake.put("models", [{"model_id": "m", "name": "Churn", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    b = alerts.Breach(model_id="m", kind="quality", severity="critical", metric="fresh", subject="crm", value=19.0,
                      threshold=2.0, window_start_at=datetime(2026, 10, 1, tzinfo=UTC), window_end_at=None,
                      message="Upstream feed crm failing freshness")
    alerts.sync(lake.root, [b], kinds=("quality",))
    root = str(lake.root)
    assert main(["alerts", "--lakehouse", root, "list"]) == 0
    out = capsys.readouterr().out
    assert f"{b.alert_id()}  critical Churn: Upstream feed crm failing freshness [since 2026-10-01" in out
    assert main(["alerts", "--lakehouse", root, "ack", b.alert_id(), "--reason", "on it"]) == 0
    assert main(["alerts", "--lakehouse", root, "snooze", b.alert_id(), "--hours", "4", "--reason", "later"]) == 0
    assert main(["alerts", "--lakehouse", root, "ack", "nope", "--reason", "x"]) == 2
    capsys.readouterr()
    assert main(["alerts", "--lakehouse", root, "list"]) == 0
    assert "acknowledged by cli:" in capsys.readouterr().out
    actions_logged = lake.con().sql("select action, target from audit_log order by event_at").fetchall()
    assert actions_logged == [("alert.acknowledge", b.alert_id()), ("alert.snooze", b.alert_id())]
    # test-channel: an Opsgenie test creates and closes one alert
    monkeypatch.setenv("OG_KEY", "k")
    (lake.root / storage.CONFIG).mkdir()
    (lake.root / storage.CONFIG / "alerting.yaml").write_text(
        f'channels:\n  og: {{kind: opsgenie, api_key: "env:OG_KEY", url: "{receiver.url}"}}\n')
    assert main(["alerts", "--lakehouse", root, "test-channel", "og"]) == 0
    assert [(r.method, r.path.split("?")[0]) for r in receiver.requests] == [
        ("POST", "/v2/alerts"), ("POST", "/v2/alerts/scaleboard-test-og/close")]
    receiver.fail_next = [401]
    assert main(["alerts", "--lakehouse", root, "test-channel", "og"]) == 1
    assert "HTTP 401" in capsys.readouterr().out
    assert main(["alerts", "--lakehouse", root, "test-channel", "nope"]) == 2
    assert main(["alerts", "--lakehouse", root, "deliveries", "--failed"]) == 0
    assert "failed     og" in capsys.readouterr().out
