"""Every KPI query's invariants (unique grain, shares in [0, 1], net = benefit - cost, KPI = its
table) are SQL files under analytics/sql/product/invariants that must return zero rows: run here on
the seeded demo lakehouse for several scopes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from analytics import sql
from analytics.lakehouse import connection
from analytics.product.kpis import _params
from analytics.product.scope import Scope

INVARIANTS = sorted(p.stem for p in (Path(sql.__file__).parent / "product" / "invariants").glob("*.sql"))
SCOPES = {
    "last_12_months": Scope(date(2025, 11, 1), date(2026, 10, 31)),
    "one_quarter_finance": Scope(date(2026, 7, 1), date(2026, 9, 30), business_units=("Finance",)),
    "one_day": Scope(date(2026, 10, 15), date(2026, 10, 15)),
    "country": Scope(date(2026, 1, 1), date(2026, 6, 30), countries=("DE",)),
}


@pytest.fixture(scope="module")
def con(demo_root):
    return connection.connect(demo_root)


def test_there_are_invariants():
    assert len(INVARIANTS) >= 8


@pytest.mark.parametrize("scope", SCOPES.values(), ids=SCOPES.keys())
@pytest.mark.parametrize("name", INVARIANTS)
def test_invariant_returns_zero_rows(con, name, scope):
    from datetime import UTC, datetime

    rows = scope.run(con, name, **_params(datetime(2026, 11, 1, tzinfo=UTC)))
    assert rows.is_empty(), f"{name} broken for {scope}:\n{rows.head(5)}"


def test_an_invariant_catches_a_broken_query(con, monkeypatch):
    """The invariants can fail: a value_delivered that forgets the cost is caught."""
    broken = sql.load("value_delivered").replace("benefit_usd - cost_usd as value_delivered",
                                                 "benefit_usd as value_delivered")
    assert broken != sql.load("value_delivered")
    real_load = sql.load.__wrapped__ if hasattr(sql.load, "__wrapped__") else None
    assert real_load is None  # load is a plain function: patch the file index instead
    original = sql.load

    def load(name: str) -> str:
        return broken if name == "value_delivered" else original(name)

    monkeypatch.setattr(sql, "load", load)
    text = sql._INCLUDE.sub(lambda m: sql._strip_comments(load(m.group(1).lower())),
                            original("invariant_value_delivered_net"))
    rows = sql.query(con, text, **SCOPES["last_12_months"].params())
    assert rows.height == 1
