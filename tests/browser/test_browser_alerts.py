"""Real browser (issue 12.4 and 13.1): one alert reads the same on the overview and in the drift
explorer (severity, "since", value at risk; the latest value, not the first seen), and a data scientist
acknowledges it from the drift explorer. Tables are compared through their real CSV downloads."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, datetime

import polars as pl
import pytest

import e2e
from analytics import alerts
from analytics.lakehouse import connection

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FIRST = alerts.Breach(model_id="churn_propensity", kind="drift", severity="warning", metric="wasserstein",
                      subject="tenure_months", value=0.11, threshold=0.1,
                      window_start_at=datetime(2026, 10, 3, tzinfo=UTC), window_end_at=None,
                      message="Input drift in tenure_months since 3 October 2026 (wasserstein 0.11)")
LATEST = replace(FIRST, severity="critical", value=0.27,
                 message="Input drift in tenure_months since 3 October 2026 (wasserstein 0.27)")


@pytest.fixture(scope="module", autouse=True)
def _need_chromium():
    if not e2e.chromium_available():
        pytest.skip(e2e.CHROMIUM_MISSING)


def _download(page, key: str) -> pl.DataFrame:
    button = page.locator(f".st-key-dl_{key} button")
    button.wait_for(state="attached", timeout=e2e.DEADLINE_MS)
    if not button.is_visible():  # on the overview the full table (and its downloads) is one expander away
        page.get_by_text("All columns: business unit, severity, since, value at risk").click()
    with page.expect_download(timeout=e2e.DEADLINE_MS) as dl:
        button.click()
    return pl.read_csv(dl.value.path(), try_parse_dates=True)


def test_alert_is_the_same_on_overview_and_drift_explorer_and_acknowledged_there(demo_root, tmp_path):
    from e2e_auth import bench_user

    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    alerts.sync(root, [FIRST], kinds=("drift",), subjects={"tenure_months"})
    alerts.sync(root, [LATEST], kinds=("drift",), subjects={"tenure_months"})
    env, sign_in = bench_user(tmp_path, "data_scientist")
    with e2e.streamlit_server(root, env=env) as (url, _proc), e2e.browser() as b:
        page = b.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        sign_in(page)
        page.get_by_text("Models that need attention").wait_for(timeout=60_000)
        overview = _download(page, "attention")
        page.goto(f"{url}/drift?model=churn_propensity")
        sign_in(page)
        page.get_by_text("Open alerts").wait_for(timeout=90_000)
        drift = _download(page, "open_alerts_drift")
        mine = drift.filter(pl.col("message") == LATEST.message)
        assert mine.select("severity", "value").rows() == [("Critical", 0.27)]  # latest, not first seen
        model = overview.filter(pl.col("name") == mine["name"][0]).row(0, named=True)
        # the overview's row for the model summarises the same alert rows: worst severity, earliest
        # since, largest value at risk
        assert model["severity"] == "Critical"
        assert model["since_at"] == drift["since_at"].min()
        assert model["value_at_risk_usd"] == drift["value_at_risk_usd"].max()
        assert mine["value_at_risk_usd"][0] == model["value_at_risk_usd"]
        # acknowledge it in the form below the table
        page.locator(".st-key-alert_pick_drift").click()
        page.keyboard.type("wasserstein 0.27")
        page.keyboard.press("Enter")
        page.locator(".st-key-alert_reason_drift input").fill("Retraining with October data")
        page.get_by_role("button", name="Acknowledge").click()
        page.get_by_text("Alert acknowledged").first.wait_for(timeout=30_000)
        assert page.locator("[data-testid='stException']").count() == 0
    con = connection.connect(root)
    assert con.sql("select alert_id, actor, action from alert_actions").fetchall() == [
        (LATEST.alert_id(), "e2e-data-scientist", "acknowledge")]
    assert con.sql("select actor, action, page from audit_log where action = 'alert.acknowledge'").fetchall() == [
        ("e2e-data-scientist", "alert.acknowledge", "drift")]
