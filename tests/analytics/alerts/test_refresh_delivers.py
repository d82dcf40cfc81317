"""`scaleboard refresh` delivers: on a copy of the demo lakehouse, the first refresh with a channel
configured announces every open alert once; the next refresh, which changes nothing, sends nothing."""

from __future__ import annotations

import shutil

from analytics import alerts, pipeline
from analytics.alerts import actions
from analytics.cli import main
from analytics.lakehouse import connection, storage


def test_refresh_announces_open_alerts_once(demo_root, tmp_path, receiver, monkeypatch):
    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("TEST_HOOK_SECRET", "s")
    (root / storage.CONFIG / "alerting.yaml").write_text(  # the demo's alerts are weeks old: look back 90 days
        "defaults: {lookback_days: 90}\n"
        f'channels:\n  hook: {{kind: webhook, url: "{receiver.url}/hook", secret: "env:TEST_HOOK_SECRET"}}\n'
        "routes:\n  - {channels: [hook]}\n")
    assert main(["refresh", "--lakehouse", str(root)]) == 0
    con = connection.connect(root)
    open_now = set(actions.table(con)["alert_id"].to_list())
    assert open_now, "the demo has open alerts"
    sent = [(r.json["event"], r.json["subject_id"]) for r in receiver.requests]
    assert sorted(sent) == sorted(("open", a) for a in open_now)
    # the announced value and severity are the alert's latest, as the pages show them
    shown = {r["alert_id"]: (r["severity"], r["value"]) for r in actions.table(con).iter_rows(named=True)}
    assert {r.json["subject_id"]: (r.json["data"]["severity"], r.json["data"]["value"])
            for r in receiver.requests} == shown
    receiver.clear()
    assert main(["refresh", "--lakehouse", str(root)]) == 0
    assert receiver.requests == []


def test_a_refresh_with_nothing_new_still_retries_a_failed_delivery_without_reevaluating(lake, receiver,
                                                                                         monkeypatch):
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": "bu", "stage": "production",
                         "task": "classification"}])
    alerts.sync(lake.root, [alerts.Breach(model_id="m", kind="quality", severity="critical", metric="c",
                                          subject="feed", value=1.0, threshold=0.5, window_start_at=None,
                                          window_end_at=None, message="Upstream feed failing")],
                kinds=("quality",))
    monkeypatch.setenv("TEST_HOOK_SECRET", "s")
    (lake.root / storage.CONFIG).mkdir()
    (lake.root / storage.CONFIG / "alerting.yaml").write_text(
        "defaults: {retries: 1}\n"
        f'channels:\n  hook: {{kind: webhook, url: "{receiver.url}/hook", secret: "env:TEST_HOOK_SECRET"}}\n'
        "routes:\n  - {channels: [hook]}\n")
    receiver.fail_next = [500]
    assert pipeline.refresh(lake.root).evaluated
    assert [r.json["event"] for r in receiver.requests] == ["open"]  # answered 500: logged as failed
    assert not pipeline.refresh(lake.root).evaluated  # the delivery log is not a reason to re-evaluate ...
    assert [r.json["event"] for r in receiver.requests] == ["open", "open"]  # ... but the retry happens
    assert not pipeline.refresh(lake.root).evaluated
    assert len(receiver.requests) == 2
    statuses = lake.con().sql("select status from alert_deliveries order by attempted_at").fetchall()
    assert statuses == [("failed",), ("sent",)]
