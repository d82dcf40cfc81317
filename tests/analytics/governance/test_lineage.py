"""Lineage: neighbourhood walks, DOT output, and value at risk with hand-worked ledger values."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime

import pytest
from system_deps import skip_unless_binary

from analytics.errors import InputError
from analytics.governance import lineage

E = [("source", "sf", "dataset", "crm"), ("dataset", "crm", "feature", "churn.tenure"),
     ("dataset", "crm", "feature", "clv.tenure"), ("dataset", "web", "feature", "churn.clicks"),
     ("feature", "churn.tenure", "model_version", "churn@v1"), ("feature", "churn.tenure", "model_version", "churn@v2"),
     ("feature", "churn.clicks", "model_version", "churn@v2"), ("feature", "clv.tenure", "model_version", "clv@v1"),
     ("model_version", "churn@v2", "deployment", "d1"), ("deployment", "d1", "kpi", "kpi:revenue")]


def _lake(lake) -> None:
    lake.put("lineage", [dict(zip(("src_kind", "src_id", "dst_kind", "dst_id"), e, strict=True)) for e in E])
    lake.put("models", [
        {"model_id": "churn", "name": "Churn", "business_unit": "M", "stage": "production", "task": "classification"},
        {"model_id": "clv", "name": "CLV", "business_unit": "M", "stage": "production", "task": "regression"},
        {"model_id": "ch", "name": "prefix trap", "business_unit": "M", "stage": "production", "task": "regression"}])
    at = datetime(2026, 10, 1, tzinfo=UTC)
    rows = []
    for month, amount in ((date(2026, 7, 1), 100.0), (date(2026, 8, 1), 200.0), (date(2026, 9, 1), 300.0),
                          (date(2026, 6, 1), 9999.0)):  # June is outside the last three months
        rows.append({"month": month, "model_id": "churn", "category": "incremental_revenue", "amount_usd": amount,
                     "attribution": "estimated", "entered_at": at})
    rows.append({"month": date(2026, 9, 1), "model_id": "churn", "category": "infrastructure", "amount_usd": 50.0,
                 "attribution": "estimated", "entered_at": at})  # a cost: not value
    rows.append({"month": date(2026, 9, 1), "model_id": "clv", "category": "cost_savings", "amount_usd": 40.0,
                 "attribution": "measured", "entered_at": at})
    lake.put("value_ledger", rows)


def test_impact_and_value_at_risk(lake) -> None:
    _lake(lake)
    hit = lineage.impact(lake.con(), ["crm"])
    got = {r["model_id"]: r["monthly_value_usd"] for r in hit.iter_rows(named=True)}
    # churn: mean(100, 200, 300) = 200; clv: 40; "ch" only prefixes "churn@v2" and must not match
    assert got == {"churn": pytest.approx(200.0), "clv": pytest.approx(40.0)}
    assert lineage.value_at_risk(hit) == pytest.approx(240.0)
    # two failing datasets feeding churn count churn once
    both = lineage.impact(lake.con(), ["crm", "web"])
    assert both.height == 3 and lineage.value_at_risk(both) == pytest.approx(240.0)
    assert lineage.impact(lake.con(), []).is_empty()


def test_around_walks_both_ways(lake) -> None:
    _lake(lake)
    edges = lineage.around(lake.con(), "model_version", "churn@v2")
    pairs = {(r["src_id"], r["dst_id"]) for r in edges.iter_rows(named=True)}
    assert pairs == {("sf", "crm"), ("crm", "churn.tenure"), ("web", "churn.clicks"),
                     ("churn.tenure", "churn@v2"), ("churn.clicks", "churn@v2"), ("churn@v2", "d1"),
                     ("d1", "kpi:revenue")}
    one_hop = lineage.around(lake.con(), "model_version", "churn@v2", depth=1)
    assert {(r["src_id"], r["dst_id"]) for r in one_hop.iter_rows(named=True)} == {
        ("churn.tenure", "churn@v2"), ("churn.clicks", "churn@v2"), ("churn@v2", "d1")}
    with pytest.raises(InputError, match="Unknown lineage kind"):
        lineage.around(lake.con(), "table", "x")


def test_dot_is_valid_graphviz(lake) -> None:
    _lake(lake)
    dot = lineage.to_dot(lineage.around(lake.con(), "dataset", "crm"), focus=("dataset", "crm"), failing={"crm"})
    assert '"dataset:crm"' in dot and 'color="#cf222e"' in dot and dot.count("->") == 8
    dot_program = skip_unless_binary("dot")  # the checks above ran; rendering needs graphviz
    out = subprocess.run([dot_program, "-Tsvg"], input=dot, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('class="node"') == 9


def test_collapse_deployments_keeps_kpi_edges() -> None:
    import polars as pl

    rows = [("model_version", "m@v1", "deployment", f"d{i}") for i in range(5)]
    rows += [("deployment", f"d{i}", "kpi", "kpi:x") for i in range(5)] + [("feature", "f", "model_version", "m@v1")]
    edges = pl.DataFrame(rows, schema=["src_kind", "src_id", "dst_kind", "dst_id"], orient="row")
    out = lineage.collapse_deployments(edges, over=3)
    assert set(map(tuple, out.rows())) == {("feature", "f", "model_version", "m@v1"),
                                           ("model_version", "m@v1", "deployment", "5 deployments of m@v1"),
                                           ("deployment", "5 deployments of m@v1", "kpi", "kpi:x")}
    assert lineage.collapse_deployments(edges, over=5).height == edges.height
