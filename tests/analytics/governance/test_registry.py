"""The model registry: state in force from registry events, the model list's filters, and the
engineering KPIs checked by hand on a small fixture."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from analytics.governance import registry
from analytics.product.scope import Scope, everything


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def reg(lake):
    lake.put("models", [
        {"model_id": "a", "name": "Alpha churn", "business_unit": "Retail", "stage": "production",
         "task": "classification", "risk_tier": "high", "owner": "Ann"},
        {"model_id": "b", "name": "Beta fraud", "business_unit": "Finance", "stage": "pilot",
         "task": "classification", "risk_tier": "low", "owner": "Bo"},
    ])
    lake.put("model_versions", [
        {"model_id": "a", "version": "1", "registered_at": at("2026-01-01")},
        {"model_id": "a", "version": "2", "registered_at": at("2026-03-01")},
        {"model_id": "b", "version": "1", "registered_at": at("2026-02-10")},
    ])
    # production deployments in Jan-Apr 2026: a1 on 5 Jan (lead 4 d), a1 rolled back 20 Jan,
    # a1 again 22 Jan, a2 on 11 Mar (lead 10 d), b1 failed in staging (not production)
    lake.put("deployments", [
        {"deployment_id": "d1", "model_id": "a", "version": "1", "environment": "production",
         "deployed_at": at("2026-01-05"), "status": "success"},
        {"deployment_id": "d2", "model_id": "a", "version": "1", "environment": "production",
         "deployed_at": at("2026-01-20"), "status": "rolled_back"},
        {"deployment_id": "d3", "model_id": "a", "version": "1", "environment": "production",
         "deployed_at": at("2026-01-22"), "status": "success"},
        {"deployment_id": "d4", "model_id": "a", "version": "2", "environment": "production",
         "deployed_at": at("2026-03-11"), "status": "success"},
        {"deployment_id": "d5", "model_id": "b", "version": "1", "environment": "staging",
         "deployed_at": at("2026-02-12"), "status": "failed"},
    ])
    lake.put("registry_events", [
        {"event_id": "e1", "event_at": at("2026-01-06"), "model_id": "a", "version": "1", "kind": "alias",
         "name": "champion"},
        {"event_id": "e2", "event_at": at("2026-03-12"), "model_id": "a", "version": "2", "kind": "alias",
         "name": "champion"},  # moved: v2 is champion now
        {"event_id": "e3", "event_at": at("2026-03-02"), "model_id": "a", "version": "2", "kind": "alias",
         "name": "challenger"},
        {"event_id": "e4", "event_at": at("2026-03-13"), "model_id": "a", "version": None, "kind": "alias",
         "name": "challenger"},  # removed
        {"event_id": "e5", "event_at": at("2026-03-05"), "model_id": "a", "version": "2", "kind": "approval",
         "name": "approved", "value": "approved", "actor": "Risk Office"},
    ])
    return lake.con()


def test_state_in_force_moves_and_removes_aliases(reg):
    a = registry.models(reg, everything()).filter(pl.col("model_id") == "a").row(0, named=True)
    assert a["aliases"] == "champion: 2"
    assert (a["n_versions"], a["latest_version"], a["n_deployments"]) == (2, "2", 4)
    v = {r["version"]: r for r in registry.versions(reg, everything(), model_id="a").iter_rows(named=True)}
    assert v["2"]["aliases"] == "champion" and v["1"]["aliases"] is None
    assert (v["2"]["approval"], v["2"]["approved_by"]) == ("approved", "Risk Office")
    assert v["1"]["first_production_at"] == at("2026-01-05")


def test_search_and_filters(reg):
    assert registry.models(reg, everything(), search="FRAUD")["model_id"].to_list() == ["b"]
    assert registry.models(reg, everything(), search="ann")["model_id"].to_list() == ["a"]  # owner
    assert registry.models(reg, Scope(date(2026, 1, 1), date(2026, 1, 31), business_units=("Retail",)))["model_id"].to_list() == ["a"]
    assert registry.models(reg, everything(), risk_tiers=("low",), stages=("pilot",))["model_id"].to_list() == ["b"]
    assert registry.models(reg, everything(), search="nothing like it").is_empty()
    assert registry.versions(reg, everything(), model_id="unknown").is_empty()
    with pytest.raises(registry.InputError):
        registry.models(reg, everything(), search="x" * 101)


def test_engineering_kpis_by_hand(reg):
    # 1 Jan - 30 Apr 2026 = 120 days = 3.9425 months of 30.4375 days
    k = registry.engineering(reg, Scope(date(2026, 1, 1), date(2026, 4, 30)))
    assert k.n_deployments == 4 and k.n_rolled_back == 1  # staging does not count
    assert k.deployments_per_month == pytest.approx(4 / (120 / 30.4375))
    assert k.change_failure_rate == pytest.approx(1 / 4)
    assert k.lead_time_days == pytest.approx((4 + 10) / 2)  # median of 4 and 10 days
    assert k.n_versions_released == 2
    # Retail only, and a window with nothing in it
    assert registry.engineering(reg, Scope(date(2026, 1, 1), date(2026, 4, 30),
                                           business_units=("Finance",))).n_deployments == 0
    empty = registry.engineering(reg, Scope(date(2025, 1, 1), date(2025, 1, 31)))
    assert empty.change_failure_rate is None and empty.lead_time_days is None


def test_a_scoped_user_sees_only_their_units_models_and_versions(reg):
    retail = Scope(date(2026, 1, 1), date(2026, 4, 30), business_units=("Finance",), allowed_units=("Retail",))
    assert retail.units == ("Retail",)  # asking for Finance gives the user's own unit
    assert registry.models(reg, retail)["model_id"].to_list() == ["a"]
    assert registry.versions(reg, retail, model_id="b").is_empty()  # Finance's model: nothing
    assert registry.deployments(reg, retail, model_id="b").is_empty()
    assert registry.versions(reg, retail, model_id="a").height == 2
