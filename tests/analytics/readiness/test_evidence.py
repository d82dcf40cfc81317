"""Live evidence for readiness items (analytics.readiness.evidence), against hand-worked inline rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics.readiness import evidence as ev
from analytics.readiness import record

AS_OF = date(2026, 10, 31)


def ts(y, m, d):
    return datetime(y, m, d, 12, tzinfo=UTC)


@pytest.fixture
def seeded(lake):
    """Four production models (m1..m4), one pilot (m5), five datasets."""
    lake.put("models", [
        {"model_id": "m1", "name": "churn", "business_unit": "Retail", "stage": "production",
         "task": "classification", "owner": "ana", "alert_route": "#ml-alerts"},
        {"model_id": "m2", "name": "basket", "business_unit": "Retail", "stage": "production",
         "task": "regression", "owner": "bo", "alert_route": ""},
        {"model_id": "m3", "name": "credit", "business_unit": "Bank", "stage": "production",
         "task": "classification", "owner": None, "alert_route": "pager"},
        {"model_id": "m4", "name": "fraud", "business_unit": "Bank", "stage": "production",
         "task": "classification", "owner": "cy", "alert_route": "pager"},
        {"model_id": "m5", "name": "pilot", "business_unit": "Bank", "stage": "pilot",
         "task": "classification", "owner": "cy", "alert_route": "pager"},
    ])
    lake.put("model_versions", [
        {"model_id": "m1", "version": "1", "registered_at": ts(2026, 1, 1)},
        {"model_id": "m1", "version": "2", "registered_at": ts(2026, 5, 1)},
        {"model_id": "m3", "version": "1", "registered_at": ts(2026, 1, 1)},
        {"model_id": "m4", "version": "1", "registered_at": ts(2026, 11, 15)},  # after as_of
        {"model_id": "m5", "version": "1", "registered_at": ts(2026, 1, 1)},
    ])
    lake.put("datasets", [
        {"dataset_id": "d1", "name": "crm", "owner": "o", "steward": "s", "description": "CRM"},
        {"dataset_id": "d2", "name": "pos", "owner": "o", "steward": "s", "description": "POS"},
        {"dataset_id": "d3", "name": "web", "owner": "o", "steward": "s", "description": "Web"},
        {"dataset_id": "d4", "name": "bureau", "owner": "o", "steward": None, "description": "x"},
        {"dataset_id": "d5", "name": "fx", "owner": "o", "steward": "s", "description": "  "},
    ])
    lake.put("features", [
        {"feature_at": ts(2026, 10, 1), "model_id": m, "version": "1", "request_id": f"r{m}",
         "feature": "f", "value_num": 1.0} for m in ("m1", "m2", "m3")
    ])
    lake.put("outcomes", [
        {"request_id": f"r{m}", "model_id": m, "observed_at": ts(2026, 10, 2), "label": 1.0}
        for m in ("m1", "m2", "m4")
    ])
    lake.put("value_ledger", [
        {"month": date(2026, 10, 1), "model_id": "m1", "category": "cost_savings", "amount_usd": 1.0,
         "attribution": "measured", "entered_at": ts(2026, 10, 5)},
        {"month": date(2026, 8, 1), "model_id": "m2", "category": "cost_savings", "amount_usd": 1.0,
         "attribution": "measured", "entered_at": ts(2026, 9, 5)},
        {"month": date(2026, 7, 1), "model_id": "m3", "category": "cost_savings", "amount_usd": 1.0,
         "attribution": "measured", "entered_at": ts(2026, 8, 5)},  # older than 3 months
    ])
    lake.put("deployments", [
        {"deployment_id": "d1", "model_id": "m1", "version": "2", "environment": "production",
         "deployed_at": ts(2026, 9, 1), "status": "success"},
        {"deployment_id": "d2", "model_id": "m2", "version": "1", "environment": "production",
         "deployed_at": ts(2026, 10, 30), "status": "success"},
        {"deployment_id": "d3", "model_id": "m3", "version": "1", "environment": "production",
         "deployed_at": ts(2026, 10, 1), "status": "failed"},
        {"deployment_id": "d4", "model_id": "m4", "version": "1", "environment": "staging",
         "deployed_at": ts(2026, 10, 1), "status": "success"},
        {"deployment_id": "d5", "model_id": "m1", "version": "1", "environment": "production",
         "deployed_at": ts(2026, 7, 1), "status": "success"},  # outside 90 days
    ])
    lake.refresh()
    return lake


def test_evidence_hand_worked(seeded):
    """catalog: d1-d3 documented -> 3/5 = 0.6 -> in_progress (missing bureau, fx)
    registry: m1 (version, owner); m2 no version; m3 no owner; m4 registered after as_of -> 1/4
    monitoring: features m1-m3, outcomes m1,m2,m4, route m1,m3,m4 -> only m1 -> 1/4
    roi: ledger months in (Jul 31, Oct 31] = Aug..Oct: m1 (Oct), m2 (Aug); m3's July is out -> 2/4
    mlops: successful production deployments in the 90 days to Oct 31: d1 (Sep 1), d2 -> 2 / 3 months."""
    with seeded.con() as con:
        e = {r["item_id"]: r for r in ev.evidence(con, as_of=AS_OF).iter_rows(named=True)}
    cat = e["data_catalog"]
    assert (cat["n_ok"], cat["n_total"], cat["value"], cat["computed_status"]) == (3, 5, 0.6, "in_progress")
    assert "3 of 5" in cat["evidence"] and "Missing: bureau, fx" in cat["evidence"]
    assert (e["model_registry"]["n_ok"], e["model_registry"]["n_total"]) == (1, 4)
    assert "Missing: basket, credit, fraud" in e["model_registry"]["evidence"]
    assert (e["monitoring_dashboards"]["n_ok"], e["monitoring_dashboards"]["n_total"]) == (1, 4)
    assert (e["roi_tracking"]["n_ok"], e["roi_tracking"]["n_total"]) == (2, 4)
    assert e["roi_tracking"]["computed_status"] == "in_progress"
    ml = e["mlops_pipeline"]
    assert ml["n_ok"] == 2 and ml["value"] == pytest.approx(2 / 3) and ml["computed_status"] == "in_progress"
    assert "0.7 per month" in ml["evidence"]
    # the windows move with as_of: on Nov 15 the ledger window is Sep..Nov, deployments Aug 17..Nov 15
    with seeded.con() as con:
        e2 = {r["item_id"]: r for r in ev.evidence(con, as_of=date(2026, 11, 15)).iter_rows(named=True)}
    assert e2["roi_tracking"]["n_ok"] == 1  # only m1 (October)
    assert e2["model_registry"]["n_ok"] == 2  # m4's version registered on Nov 15 now counts
    assert e2["mlops_pipeline"]["n_ok"] == 2


@pytest.mark.parametrize("value, status", [(None, "not_started"), (0.0, "not_started"), (0.49, "not_started"),
                                           (0.5, "in_progress"), (0.89, "in_progress"), (0.9, "done"),
                                           (1.0, "done")])
def test_classify_thresholds(value, status):
    assert ev.classify(value, ev.RULE_BY_ITEM["data_catalog"]) == status


def test_disagreement_is_done_against_evidence(seeded):
    r = seeded.root
    record.set_item(r, "data_catalog", actor="a", status="done", now=ts(2026, 10, 1))  # evidence: in_progress -> disagreement
    record.set_item(r, "mlops_pipeline", actor="a", status="in_progress", now=ts(2026, 10, 1))  # not done: no disagreement
    record.set_item(r, "governance_policy", actor="a", status="done", now=ts(2026, 10, 1))  # no evidence: no disagreement
    with seeded.con() as con:
        b = ev.board(con, as_of=AS_OF)
    assert b.filter("is_disagreement")["item_id"].to_list() == ["data_catalog"]
    assert b.filter(item_id="governance_policy")["computed_status"].item() is None


def test_everything_documented_is_done(lake):
    lake.put("datasets", [{"dataset_id": f"d{i}", "name": f"n{i}", "owner": "o", "steward": "s",
                           "description": "d"} for i in range(10)])
    with lake.con() as con:
        e = ev.evidence(con, as_of=AS_OF).filter(item_id="data_catalog").row(0, named=True)
    assert (e["value"], e["computed_status"]) == (1.0, "done")
