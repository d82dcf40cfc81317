"""Governance chart builders, tested through ``to_dict()``."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from app import quality_charts as charts


def test_check_trends_facets_per_check_with_threshold_rules() -> None:
    df = pl.DataFrame({"dataset_id": ["d"] * 4, "check_id": ["a", "a", "b", "b"],
                       "check_kind": ["completeness", "completeness", "timeliness", "timeliness"],
                       "day": [date(2026, 10, 1), date(2026, 10, 2)] * 2, "metric_value": [0.99, 0.7, 5.0, 80.0],
                       "status": ["pass", "fail", "pass", "fail"], "warn_threshold": [0.97, 0.97, 30, 30],
                       "fail_threshold": [0.9, 0.9, 48, 48]})
    spec = charts.check_trends(df).to_dict()
    assert spec["facet"]["field"] == "check" and spec["resolve"]["scale"]["y"] == "independent"
    layers = spec["spec"]["layer"]
    assert [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in layers] == \
           ["line", "circle", "rule", "rule"]
    assert all("data" not in layer for layer in layers)  # layers share the faceted data
    assert layers[3]["encoding"]["y"]["field"] == "fail_threshold"


def test_domain_health_and_disparate_impact() -> None:
    dom = pl.DataFrame({"domain": ["a", "b"], "n_datasets": [1, 2], "n_checks": [3, 4], "n_pass": [3, 2],
                        "n_warn": [0, 1], "n_fail": [0, 1], "share_passing": [1.0, 0.5], "health": ["pass", "fail"]})
    spec = charts.domain_health(dom).to_dict()
    assert spec["encoding"]["x"]["field"] == "n_checks" and spec["height"] == 120
    ds = next(iter(spec["datasets"].values()))
    assert len(ds) == 6 and {r["status"] for r in ds} == {"pass", "warn", "fail"}
    di = pl.DataFrame({"group_value": ["f", "m"], "disparate_impact": [0.7, 1.0], "n": [40, 50],
                       "window_end_at": [datetime(2026, 10, 1)] * 2})
    spec = charts.disparate_impact(di).to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rect"
    assert spec["layer"][1]["encoding"]["y"]["field"] == "disparate_impact"
