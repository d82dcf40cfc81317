"""Alerts are raised once, carry value at risk, and are resolved (append-only) when the breach ends."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from analytics import alerts
from analytics.alerts import actions
from analytics.errors import InputError
from analytics.product import overview
from analytics.product.scope import Scope


def _breach(model="m", kind="quality", subject="feed", severity="critical"):
    return alerts.Breach(model_id=model, kind=kind, severity=severity, metric="fresh", subject=subject,
                         value=19.0, threshold=2.0, window_start_at=datetime(2026, 10, 1, tzinfo=UTC),
                         window_end_at=None, message=f"{subject} failing")


@pytest.fixture
def root(lake):
    lake.put("models", [{"model_id": "m", "name": "M", "business_unit": "Retail", "stage": "production",
                         "task": "classification"},
                        {"model_id": "k", "name": "K", "business_unit": "Finance", "stage": "production",
                         "task": "classification"}])
    # m's monthly value: mean benefit of its last three ledger months = (100 + 200 + 300) / 3 = 200
    lake.put("value_ledger", [
        {"month": date(2026, mo, 1), "model_id": "m", "category": "cost_savings", "amount_usd": v,
         "attribution": "estimated", "entered_at": datetime(2026, 10, 1, tzinfo=UTC)}
        for mo, v in ((6, 999.0), (7, 100.0), (8, 200.0), (9, 300.0))])
    return lake


def test_raised_once_with_value_at_risk(root):
    assert alerts.raise_alerts(root.root, [_breach(), _breach()]) == 1
    assert alerts.raise_alerts(root.root, [_breach()]) == 0  # same episode: nothing new
    row = alerts.open_alerts(root.con()).row(0, named=True)
    assert row["value_at_risk_usd"] == pytest.approx(200.0)


def test_sync_resolves_what_recovered_and_keeps_history(root):
    alerts.sync(root.root, [_breach(), _breach(model="k", subject="other")], kinds=("quality",))
    assert alerts.open_alerts(root.con()).height == 2
    # next evaluation: only k's breach remains
    raised, resolved = alerts.sync(root.root, [_breach(model="k", subject="other")], kinds=("quality",))
    assert (raised, resolved) == (0, 1)
    con = root.con()
    assert alerts.open_alerts(con)["model_id"].to_list() == ["k"]
    assert con.sql("select count(*) from alerts").fetchall() == [(3,)]  # raised x2 + one resolution
    assert overview.models_needing_attention(con, Scope(date(2020, 1, 1), date(2030, 1, 1)))["model_id"].to_list() == ["k"]
    r = overview.risk_summary(con, Scope(date(2020, 1, 1), date(2030, 1, 1)))
    assert r.n_models_at_risk == 1 and r.n_new_alerts == 2  # resolution rows are not new alerts


def test_sync_only_touches_its_kinds_and_subjects(root):
    alerts.sync(root.root, [_breach(), _breach(kind="drift", subject="x")], kinds=("quality", "drift"))
    # a quality run over another dataset must not resolve "feed"; a quality sync never resolves drift
    alerts.sync(root.root, [], kinds=("quality",), subjects={"some_other_dataset"})
    assert alerts.open_alerts(root.con()).height == 2
    alerts.sync(root.root, [], kinds=("quality",))
    assert alerts.open_alerts(root.con())["kind"].to_list() == ["drift"]


def test_bad_kind_is_refused_and_nothing_written(root):
    with pytest.raises(InputError, match="kind"):
        alerts.raise_alerts(root.root, [_breach(kind="vibes")])
    assert root.con().sql("select count(*) from alerts").fetchall() == [(0,)]


def test_open_alert_shows_its_latest_value_and_severity_and_keeps_since(root):
    """Issue 12.4: a later evaluation of the same episode that sees a value twice as large and a higher
    severity updates the alert everywhere; "since" stays the first detection."""
    first_seen, later = datetime(2026, 10, 2, tzinfo=UTC), datetime(2026, 10, 9, tzinfo=UTC)
    warn = alerts.Breach(model_id="m", kind="drift", severity="warning", metric="wasserstein",
                         subject="basket_size", value=0.12, threshold=0.1,
                         window_start_at=datetime(2026, 10, 1, tzinfo=UTC), window_end_at=None,
                         message="Input drift in basket_size (wasserstein 0.12)")
    worse = replace(warn, severity="critical", value=0.24, message="Input drift in basket_size (wasserstein 0.24)")
    assert alerts.sync(root.root, [warn], kinds=("drift",), now=first_seen) == (1, 0)
    assert alerts.sync(root.root, [worse], kinds=("drift",), now=later) == (0, 0)  # the same alert, updated
    con = root.con()
    row = alerts.open_alerts(con).row(0, named=True)
    assert (row["severity"], row["value"], row["message"]) == ("critical", 0.24, worse.message)
    assert row["created_at"] == first_seen and row["updated_at"] == later
    att = overview.models_needing_attention(con, Scope(date(2020, 1, 1), date(2030, 1, 1))).row(0, named=True)
    assert (att["severity"], att["reasons"], att["value_at_risk_usd"]) == ("critical", worse.message, 200.0)
    assert att["since_at"] == datetime(2026, 10, 1, tzinfo=UTC)
    r = overview.risk_summary(con, start_date=date(2020, 1, 1), end_date=date(2030, 1, 1))
    assert r.n_new_alerts == 1  # the update row is not a new alert
    table = actions.table(con)
    assert table.select("severity", "value", "since_at", "value_at_risk_usd").row(0) == (
        "critical", 0.24, datetime(2026, 10, 1, tzinfo=UTC), 200.0)


def test_an_unchanged_evaluation_writes_nothing_and_a_resolution_is_final(root):
    alerts.sync(root.root, [_breach()], kinds=("quality",), now=datetime(2026, 10, 2, tzinfo=UTC))
    alerts.sync(root.root, [_breach()], kinds=("quality",), now=datetime(2026, 10, 3, tzinfo=UTC))
    assert root.con().sql("select count(*) from alerts").fetchall() == [(1,)]
    alerts.sync(root.root, [], kinds=("quality",), now=datetime(2026, 10, 4, tzinfo=UTC))
    # the same episode seen again (e.g. a late evaluation) does not reopen a resolved alert
    assert alerts.sync(root.root, [replace(_breach(), value=99.0)], kinds=("quality",),
                       now=datetime(2026, 10, 5, tzinfo=UTC)) == (0, 0)
    con = root.con()
    assert alerts.open_alerts(con).is_empty()
    assert con.sql("select count(*) from alerts").fetchall() == [(2,)]
