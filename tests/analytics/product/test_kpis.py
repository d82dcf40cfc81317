"""The KPI registry is complete: a function, SQL files that exist, a description, and a test per key."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import sql
from analytics.product.kpis import REGISTRY

TESTS = Path(__file__).resolve().parents[2]
ALL_TEST_TEXT = "\n".join(p.read_text() for p in TESTS.rglob("test_*.py") if p.name != "test_kpis.py")


@pytest.mark.parametrize("k", REGISTRY, ids=lambda k: k.key)
def test_kpi_is_complete(k):
    assert len(k.description) > 30 and k.title
    assert callable(k.resolve())
    for name in k.sql:
        assert name in sql.names(), f"{k.key}: no SQL file {name}.sql"
    assert k.field, f"{k.key}: which field of the result holds the value?"


@pytest.mark.parametrize("k", REGISTRY, ids=lambda k: k.key)
def test_kpi_function_is_tested(k):
    # a KPI is tested when some test calls its function (by name) on hand-written rows
    fn = k.function.split(":")[1]
    assert fn in ALL_TEST_TEXT, f"no test calls {k.function} for KPI {k.key}"


def test_keys_are_unique():
    keys = [k.key for k in REGISTRY]
    assert len(keys) == len(set(keys))


def test_figures_table_hand_worked():
    from analytics.product.kpis import figures

    t = figures({"portfolio_roi": (1.5, 1.2), "value_delivered": (300.0, None), "models_at_risk": (2, None)})
    # registry order, not the dict's
    assert t["figure"].to_list() == ["Value delivered", "Portfolio ROI", "Models at risk"]
    roi = t.row(1, named=True)
    assert (roi["value"], roi["previous_period"], roi["change"], roi["unit"]) == (1.5, 1.2, pytest.approx(0.3), "ratio")
    assert t.row(0, named=True)["change"] is None and t.row(0, named=True)["unit"] == "USD"
    assert t.row(1, named=True)["meaning"]
    with pytest.raises(KeyError, match="not in the KPI registry"):
        figures({"vanity_metric": (1, 2)})
