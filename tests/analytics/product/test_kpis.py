"""The KPI registry: one hand-worked case per KPI (its test id is the KPI key), a completeness check
that fails when a KPI has no SQL file, no hand-worked case or no description, and the docs section
drawn from the registry."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from analytics import sql
from analytics.product import kpis
from analytics.product.kpis import BY_KEY, REGISTRY
from analytics.product.scope import Scope

SQL_PRODUCT = Path(sql.__file__).parent / "product"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "product.md"
NOW = datetime(2025, 7, 15, tzinfo=UTC)  # readiness "now" (its delta compares with 30 days before)
WINDOW = Scope(date(2025, 4, 1), date(2025, 6, 30))  # previous window: 2025-01-01 .. 2025-03-31


def ts(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=UTC)


ENTERED = datetime(2025, 7, 1, 12, tzinfo=UTC)


def ledger(month, model, category, amount, at=ENTERED):
    return {"month": month, "model_id": model, "category": category, "amount_usd": amount,
            "attribution": "estimated", "entered_at": at, "entered_by": "pm"}


@pytest.fixture
def worked(lake):
    """A small lakehouse whose every KPI is worked out by hand (``HAND_WORKED``)."""
    lake.put("models", [
        {"model_id": "a", "name": "A", "business_unit": "Retail", "stage": "production", "task": "regression",
         "created_at": ts(2025, 1, 1)},
        {"model_id": "b", "name": "B", "business_unit": "Finance", "stage": "production", "task": "regression",
         "created_at": ts(2025, 1, 1)},
        {"model_id": "c", "name": "C", "business_unit": "Retail", "stage": "pilot", "task": "regression",
         "created_at": ts(2025, 3, 1)},
    ])
    lake.put("deployments", [
        {"deployment_id": "d1", "model_id": "a", "version": "1", "environment": "production",
         "deployed_at": ts(2025, 2, 10), "status": "success"},
        {"deployment_id": "d2", "model_id": "b", "version": "1", "environment": "production",
         "deployed_at": ts(2025, 5, 20), "status": "success"},
        {"deployment_id": "d3", "model_id": "c", "version": "1", "environment": "production",
         "deployed_at": ts(2025, 4, 2), "status": "failed"},
    ])
    lake.put("value_ledger", [
        ledger(date(2025, 4, 1), "a", "cost_savings", 250.0, at=ts(2025, 5, 1)),  # corrected below
        ledger(date(2025, 4, 1), "a", "cost_savings", 300.0, at=ts(2025, 5, 9)),  # the figure in force
        ledger(date(2025, 4, 1), "a", "infrastructure", 100.0),
        ledger(date(2025, 5, 1), "b", "incremental_revenue", 200.0),
        ledger(date(2025, 6, 1), "b", "people", 50.0),
        ledger(date(2025, 2, 1), "a", "cost_savings", 40.0),  # previous window
        ledger(date(2025, 2, 1), "a", "people", 100.0),
        ledger(date(2025, 7, 1), "a", "cost_savings", 999.0),  # after the window: nowhere
    ])
    lake.put("eligible_users", [{"model_id": m, "user_id": u} for m, u in
                                (("a", "u1"), ("a", "u2"), ("b", "u1"), ("b", "u3"))])
    lake.put("usage_events", [
        # a Tuesday: its week's Monday (31 March) is before the window, the day is in it
        {"event_at": ts(2025, 4, 1), "model_id": "a", "user_id": "u1", "event_type": "invoke"},
        {"event_at": ts(2025, 6, 30), "model_id": "b", "user_id": "u3", "event_type": "invoke"},
        {"event_at": ts(2025, 6, 30), "model_id": "b", "user_id": "u1", "event_type": "view"},  # not a use
        {"event_at": ts(2025, 3, 31), "model_id": "a", "user_id": "u2", "event_type": "invoke"},  # previous
    ])
    base = {"kind": "drift", "metric": "psi", "threshold": 0.25, "subject": "f", "value": 0.4, "message": "m"}
    lake.put("alerts", [
        {**base, "alert_id": "x1", "created_at": ts(2025, 6, 2), "model_id": "a", "severity": "critical",
         "value_at_risk_usd": 120.0},
        {**base, "alert_id": "x2", "created_at": ts(2025, 6, 3), "model_id": "b", "severity": "warning",
         "value_at_risk_usd": 80.0},
        {**base, "alert_id": "x3", "created_at": ts(2025, 5, 3), "model_id": "c", "severity": "critical",
         "value_at_risk_usd": 500.0},
        {**base, "alert_id": "x3", "created_at": ts(2025, 5, 3), "model_id": "c", "severity": "critical",
         "value_at_risk_usd": 500.0, "resolved_at": ts(2025, 5, 9)},  # resolved
    ])
    ev = {"actor": "ana"}
    lake.put("checklist_events", [
        {**ev, "event_id": "e1", "event_at": ts(2025, 6, 1), "item_id": "data_catalog", "status": "done"},
        {**ev, "event_id": "e2", "event_at": ts(2025, 7, 1), "item_id": "mlops_pipeline", "status": "done"},
        {**ev, "event_id": "e3", "event_at": ts(2025, 7, 2), "item_id": "governance_policy", "retired": True},
    ])
    lake.refresh()
    return kpis.compute(lake.con(), WINDOW, now=NOW, workers=1)


# key -> (value, previous, other columns) for WINDOW, each worked out from the rows above
HAND_WORKED = {
    # window: benefit 300 (a, April, the newest entry) + 200 (b) = 500; cost 100 + 50 = 150
    # previous (Jan-Mar): benefit 40, cost 100
    "value_delivered": (350.0, -60.0, {"benefit_usd": 500.0, "cost_usd": 150.0}),
    "value_to_date": (290.0, None, {}),  # 350 - 60; July is after the window
    "portfolio_roi": (350 / 150, -60 / 100, {"benefit_usd": 500.0, "cost_usd": 150.0}),
    # 4 seats; used on a date in Apr-Jun: (a,u1) on Tue 1 April, (b,u3) on 30 June -> 2/4;
    # previous: (a,u2) on 31 March -> 1/4 (a view is not a use)
    "adoption_rate": (0.5, 0.25, {"n_active_seats": 2, "n_eligible_seats": 4}),
    # end of June: a (Feb) and b (May); c a pilot (its deployment failed). End of March: a only
    "models_in_production": (2, 1, {"n_pilot": 1, "n_retired": 0}),
    "models_at_risk": (2, None, {"n_critical": 1}),  # a (critical), b (warning); c's alert resolved
    "value_at_risk": (200.0, None, {}),  # 120 + 80
    # default items minus the retired one; done now: 2 of them; 30 days before (15 June): 1
    "readiness_progress": (2 / 6, 1 / 7, {"n_items": 6, "n_done": 2}),
}


@pytest.mark.parametrize("key", list(HAND_WORKED))
def test_kpi_hand_worked(worked, key):
    value, previous, extra = HAND_WORKED[key]
    got = worked[key]
    assert got.value == pytest.approx(value)
    assert (got.previous is None and previous is None) or got.previous == pytest.approx(previous)
    assert got.extra == pytest.approx(extra)


@pytest.mark.parametrize("k", REGISTRY, ids=lambda k: k.key)
def test_kpi_is_complete(request, k):
    """Key = SQL file stem = test id: the KPI has its SQL file in analytics/sql/product, a hand-worked
    case collected under its key, and a description a non-specialist can read."""
    assert (SQL_PRODUCT / f"{k.key}.sql").is_file(), f"{k.key}: no analytics/sql/product/{k.key}.sql"
    collected = {item.callspec.id for item in request.node.parent.collect()
                 if getattr(item, "originalname", "") == "test_kpi_hand_worked" and hasattr(item, "callspec")}
    assert k.key in collected, f"{k.key}: no hand-worked case test_kpi_hand_worked[{k.key}]"
    assert len(k.description) > 30 and k.title and k.description.endswith(".")


def test_hand_worked_cases_are_registry_keys():
    assert set(HAND_WORKED) == set(BY_KEY)


def test_docs_list_the_registry():
    """docs/product.md carries the registry's table verbatim (regenerate with kpis.docs_section())."""
    assert kpis.docs_section() in DOCS.read_text()


def test_figures_table_hand_worked():
    t = kpis.figures({"portfolio_roi": (1.5, 1.2), "value_delivered": (300.0, None), "models_at_risk": (2, None)})
    # registry order, not the dict's
    assert t["figure"].to_list() == ["Value delivered", "Portfolio ROI", "Models at risk"]
    roi = t.row(1, named=True)
    assert (roi["value"], roi["previous_period"], roi["change"], roi["unit"]) == (1.5, 1.2, pytest.approx(0.3), "net return on cost (1 = 100%)")
    assert t.row(0, named=True)["change"] is None and t.row(0, named=True)["unit"] == "USD"
    assert t.row(1, named=True)["meaning"]
    with pytest.raises(KeyError, match="not in the KPI registry"):
        kpis.figures({"vanity_metric": (1, 2)})
