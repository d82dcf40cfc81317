"""Overview KPIs on hand-written rows with hand-worked expected values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from analytics.product import overview
from analytics.product.scope import Scope, previous_window


def ts(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


MODELS = [
    {"model_id": "a", "name": "A", "business_unit": "Retail", "stage": "production", "task": "classification",
     "created_at": ts(2025, 1, 5)},
    {"model_id": "b", "name": "B", "business_unit": "Retail", "stage": "production", "task": "regression",
     "created_at": ts(2025, 2, 1)},
    {"model_id": "c", "name": "C", "business_unit": "Finance", "stage": "pilot", "task": "classification",
     "created_at": ts(2025, 3, 1)},
    {"model_id": "d", "name": "D", "business_unit": "Finance", "stage": "retired", "task": "classification",
     "created_at": ts(2024, 6, 1)},
]
DEPLOYMENTS = [
    {"deployment_id": "1", "model_id": "a", "version": "1", "environment": "production",
     "deployed_at": ts(2025, 2, 10), "status": "success"},
    {"deployment_id": "2", "model_id": "b", "version": "1", "environment": "production",
     "deployed_at": ts(2025, 5, 3), "status": "failed"},
    {"deployment_id": "3", "model_id": "b", "version": "1", "environment": "production",
     "deployed_at": ts(2025, 6, 20), "status": "success"},
    {"deployment_id": "4", "model_id": "c", "version": "1", "environment": "staging",
     "deployed_at": ts(2025, 4, 1), "status": "success"},
    # a pilot trialled in production stays a pilot
    {"deployment_id": "6", "model_id": "c", "version": "1", "environment": "production",
     "deployed_at": ts(2025, 5, 1), "status": "success"},
    {"deployment_id": "5", "model_id": "d", "version": "1", "environment": "production",
     "deployed_at": ts(2024, 7, 1), "status": "success"},
]


@pytest.fixture
def con(lake):
    lake.put("models", MODELS)
    lake.put("deployments", DEPLOYMENTS)
    return lake.con()


def test_stage_summary_counts_by_first_successful_production_deployment(con):
    # Window Apr-Jun 2025; previous window Jan-Mar 2025.
    s = overview.stage_summary(con, Scope(date(2025, 4, 1), date(2025, 6, 30)))
    # End of June: a (Feb) and b (June 20, the failed May deployment does not count) in production,
    # c a pilot, d retired (and never counted as production or pilot).
    assert (s.n_production, s.n_pilot, s.n_retired) == (2, 1, 1)
    # End of March: only a in production; b (created Feb) and c (created Mar) were pilots.
    assert (s.prev_production, s.prev_pilot) == (1, 2)
    may = s.monthly.filter(pl.col("month") == date(2025, 5, 1)).row(0, named=True)
    assert (may["n_production"], may["n_pilot"]) == (1, 2)


def test_stage_summary_filters_business_unit(con):
    s = overview.stage_summary(con, Scope(date(2025, 4, 1), date(2025, 6, 30), business_units=("Finance",)))
    assert (s.n_production, s.n_pilot, s.n_retired) == (0, 1, 1)


def test_attention_and_risk_from_open_alerts(lake, con):
    base = {"kind": "drift", "metric": "psi", "threshold": 0.25, "value_at_risk_usd": 1000.0}
    lake.put("alerts", [
        {**base, "alert_id": "x1", "created_at": ts(2025, 6, 2), "model_id": "a", "severity": "warning",
         "subject": "f1", "value": 0.2, "message": "drift in f1", "window_start_at": ts(2025, 5, 1)},
        {**base, "alert_id": "x2", "created_at": ts(2025, 6, 3), "model_id": "a", "severity": "critical",
         "subject": "f2", "value": 0.4, "message": "drift in f2", "window_start_at": ts(2025, 5, 20)},
        {**base, "alert_id": "x3", "created_at": ts(2025, 2, 3), "model_id": "b", "severity": "warning",
         "subject": "f1", "value": 0.2, "message": "old"},
        # x3 resolved: append-only, a second row with the same id and resolved_at
        {**base, "alert_id": "x3", "created_at": ts(2025, 2, 3), "model_id": "b", "severity": "warning",
         "subject": "f1", "value": 0.2, "message": "old", "resolved_at": ts(2025, 2, 9)},
        {**base, "alert_id": "x4", "created_at": ts(2025, 3, 3), "model_id": "c", "severity": "warning",
         "kind": "quality", "subject": "feed", "value": 0.3, "message": "feed failing",
         "value_at_risk_usd": 250.0},
    ])
    con = lake.con()
    att = overview.models_needing_attention(con, Scope(date(2025, 4, 1), date(2025, 6, 30)))
    assert att["model_id"].to_list() == ["a", "c"]  # critical first; b's alert is resolved
    a = att.row(0, named=True)
    assert a["severity"] == "critical" and a["n_alerts"] == 2
    assert a["reasons"] == "drift in f2 drift in f1"  # sentences one after another; critical before warning
    assert a["since_at"] == ts(2025, 5, 1)
    r = overview.risk_summary(con, Scope(date(2025, 4, 1), date(2025, 6, 30)))
    assert (r.n_models_at_risk, r.n_critical, r.value_at_risk_usd) == (2, 1, 1250.0)
    # raised in Apr-Jun: x1, x2; in Jan-Mar: x3, x4
    assert (r.n_new_alerts, r.prev_new_alerts) == (2, 2)


def _ledger_row(month, model, cat, amount, at, attribution="estimated"):
    return {"month": month, "model_id": model, "category": cat, "amount_usd": amount,
            "attribution": attribution, "entered_at": at, "entered_by": "pm"}


def test_payback_uses_latest_ledger_entry_and_cumulative_net(lake, con):
    row = _ledger_row
    lake.put("value_ledger", [
        row(date(2025, 1, 1), "a", "people", 100.0, ts(2025, 2, 1)),
        row(date(2025, 1, 1), "a", "cost_savings", 40.0, ts(2025, 2, 1)),
        row(date(2025, 2, 1), "a", "people", 50.0, ts(2025, 3, 1)),
        row(date(2025, 2, 1), "a", "cost_savings", 90.0, ts(2025, 3, 1)),
        row(date(2025, 3, 1), "a", "cost_savings", 80.0, ts(2025, 4, 1)),
        # a correction of March: the newest entry wins
        row(date(2025, 3, 1), "a", "cost_savings", 60.0, ts(2025, 4, 9)),
        row(date(2025, 3, 1), "a", "people", 10.0, ts(2025, 4, 1)),
        row(date(2025, 1, 1), "c", "licences", 30.0, ts(2025, 2, 1)),
        row(date(2025, 2, 1), "c", "incremental_revenue", 10.0, ts(2025, 3, 1)),
    ])
    p = overview.model_payback(lake.con(), Scope(date(2025, 1, 1), date(2025, 3, 31)))
    got = {r["model_id"]: r for r in p.iter_rows(named=True)}
    # a: cumulative net -60 (Jan), -20 (Feb), +30 (Mar) -> payback in March
    assert got["a"]["benefit_to_date_usd"] == 190.0 and got["a"]["cost_to_date_usd"] == 160.0
    assert got["a"]["net_to_date_usd"] == 30.0 and got["a"]["payback_month"] == date(2025, 3, 1)
    # c: -30, -20: never paid off
    assert got["c"]["net_to_date_usd"] == -20.0 and got["c"]["payback_month"] is None
    assert not got["c"]["is_paying_off"]
    # end_date before March: a has not paid back yet
    early = overview.model_payback(lake.con(), Scope(date(2025, 1, 1), date(2025, 2, 28)))
    assert early.filter(pl.col("model_id") == "a")["payback_month"].to_list() == [None]


def test_previous_window_is_as_many_whole_months_or_days():
    # a whole quarter: the quarter before (not the 91 days before, which would start on 31 December)
    assert previous_window(date(2025, 4, 1), date(2025, 6, 30)) == (date(2025, 1, 1), date(2025, 3, 31))
    # 12 whole months: the 12 before
    assert previous_window(date(2025, 11, 1), date(2026, 10, 31)) == (date(2024, 11, 1), date(2025, 10, 31))
    # not whole months: as many days (10 days)
    assert previous_window(date(2025, 4, 11), date(2025, 4, 20)) == (date(2025, 4, 1), date(2025, 4, 10))


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("business_units", [None, ("Finance",)])
def test_snapshot_equals_the_functions_called_one_by_one(lake, con, workers, business_units):
    """The page's one call composes the same figures as the individual (hand-worked) functions."""
    from analytics.product import adoption, roi

    lake.put("value_ledger", [_ledger_row(date(2025, 1, 1), "a", "cost_savings", 40.0, ts(2025, 2, 1)),
                              _ledger_row(date(2025, 5, 1), "c", "licences", 30.0, ts(2025, 6, 1))])
    lake.put("alerts", [{"alert_id": "x1", "created_at": ts(2025, 6, 2), "model_id": "c", "severity": "critical",
                         "kind": "drift", "subject": "f1", "metric": "psi", "value": 0.4, "threshold": 0.25,
                         "message": "drift in f1", "value_at_risk_usd": 80.0}])
    lake.put("eligible_users", [{"model_id": "a", "user_id": "u1"}, {"model_id": "c", "user_id": "u2"}])
    lake.put("usage_events", [{"event_at": ts(2025, 6, 3), "model_id": "c", "user_id": "u2",
                               "event_type": "invoke"}])
    lake.refresh()
    con = lake.con()
    sc = Scope(date(2025, 4, 1), date(2025, 6, 30), business_units=business_units)
    snap = overview.snapshot(con, sc, workers=workers)
    fig = snap.figures
    v, a = roi.portfolio_value(con, sc), adoption.adoption_summary(con, sc)
    r, stages = overview.risk_summary(con, sc), overview.stage_summary(con, sc)
    assert (fig["value_delivered"].value, fig["value_delivered"].previous) == pytest.approx((v.net_usd, v.prev_net_usd))
    assert (fig["portfolio_roi"].value, fig["portfolio_roi"].previous) == (v.roi, v.prev_roi)
    assert fig["value_to_date"].value == pytest.approx(v.value_to_date_usd)
    assert (fig["adoption_rate"].value, fig["adoption_rate"].previous) == (a.adoption_rate, a.prev_adoption_rate)
    assert fig["adoption_rate"].extra == {"n_active_seats": a.active_seats, "n_eligible_seats": a.eligible_seats}
    assert (fig["models_in_production"].value, fig["models_in_production"].previous) == (
        stages.n_production, stages.prev_production)
    assert fig["models_in_production"].extra["n_pilot"] == stages.n_pilot
    assert (fig["models_at_risk"].value, fig["value_at_risk"].value) == (r.n_models_at_risk, r.value_at_risk_usd)
    assert fig["models_at_risk"].extra["n_critical"] == r.n_critical
    assert snap.value_by_month.equals(roi.value_by_month(con, sc))
    assert snap.attention.equals(overview.models_needing_attention(con, sc))
    assert snap.payback.equals(overview.model_payback(con, sc))
    assert snap.stages.equals(stages.monthly)
    # and the figures are not all zero: the composition is exercised
    assert r.n_models_at_risk == 1 and a.active_seats == 1 and v.net_usd == -30.0
