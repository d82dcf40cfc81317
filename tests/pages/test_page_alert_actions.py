"""Acknowledge and snooze from the drift explorer (AppTest on a copy of the demo lakehouse): the table
shows the alert's latest value and severity; a data scientist's acknowledgement is written and audited,
a steward sees the table without the form; the Admin page lists a failed delivery."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
import pytest

from analytics import alerts
from analytics.alerts import actions
from analytics.lakehouse import connection, storage
from apptest import page_path, signed_in

BREACH = alerts.Breach(model_id="churn_propensity", kind="drift", severity="warning", metric="wasserstein",
                       subject="tenure_months", value=0.11, threshold=0.1,
                       window_start_at=datetime(2026, 10, 3, tzinfo=UTC), window_end_at=None,
                       message="Input drift in tenure_months since 3 October 2026 (wasserstein 0.11)")


@pytest.fixture
def lake_copy(demo_root, tmp_path, monkeypatch):
    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    alerts.sync(root, [BREACH], kinds=("drift",), subjects={"tenure_months"})
    alerts.sync(root, [replace(BREACH, severity="critical", value=0.27,
                               message="Input drift in tenure_months since 3 October 2026 (wasserstein 0.27)")],
                kinds=("drift",), subjects={"tenure_months"})
    return root


def _drift_page(role: str, name: str):
    at = signed_in(role, name=name, timeout=120)
    at.query_params["model"] = "churn_propensity"
    at.switch_page(page_path("drift"))
    return at.run()


@pytest.mark.slow
def test_data_scientist_acknowledges_an_alert_from_the_drift_explorer(lake_copy):
    at = _drift_page("data_scientist", "dana")
    assert not at.exception, at.exception
    table = next(df.value for df in at.dataframe if "message" in df.value.columns)
    (i,) = [i for i, m in enumerate(table["message"]) if m.startswith("Input drift in tenure_months since 3 Oct")]
    row = table.iloc[i]  # latest value, severity and message, not those first seen
    assert (row["severity"], round(float(row["value"]), 2)) == ("Critical", 0.27) and "0.27" in row["message"]
    at.selectbox(key="alert_pick_drift").set_value(BREACH.alert_id())
    at.text_input(key="alert_reason_drift").set_value("Retraining with October data")
    next(b for b in at.button if b.label == "Acknowledge").click()
    at.run()
    assert not at.exception, at.exception
    con = connection.connect(lake_copy)
    row = actions.table(con, model_id="churn_propensity").filter(
        pl.col("alert_id") == BREACH.alert_id()).row(0, named=True)
    assert row["acknowledged_by"] == "dana"
    audit = con.sql("select actor, role, action, target, page from audit_log where action like 'alert.%'").fetchall()
    assert audit == [("dana", "data_scientist", "alert.acknowledge", BREACH.alert_id(), "drift")]


@pytest.mark.slow
def test_steward_sees_alerts_but_cannot_acknowledge(lake_copy):
    at = _drift_page("steward", "sven")
    assert not at.exception, at.exception
    assert any("Data scientists and administrators can acknowledge" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Acknowledge"]


@pytest.mark.slow
def test_admin_page_lists_failed_deliveries(lake_copy, monkeypatch):
    (lake_copy / storage.CONFIG / "alerting.yaml").write_text(
        'channels:\n  hook: {kind: webhook, url: "http://127.0.0.1:1/h", secret: "env:NOT_SET_ANYWHERE"}\n'
        "routes:\n  - {channels: [hook]}\n")
    report = alerts.deliver(lake_copy)
    assert report.n_failed >= 1
    at = signed_in("admin", name="root", timeout=120)
    at.switch_page(page_path("admin"))
    at.run()
    assert not at.exception, at.exception
    frames = [df.value for df in at.dataframe]
    channels = next(f for f in frames if "problem" in f.columns)
    assert "env:NOT_SET_ANYWHERE is not set" in channels["problem"].iloc[0]
    log = next(f for f in frames if "error" in f.columns and "channel" in f.columns)
    assert set(log["status"]) == {"Failed"} and "env:NOT_SET_ANYWHERE is not set" in log["error"].iloc[0]
