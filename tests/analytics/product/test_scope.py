"""The Scope: windows and presets hand-worked, the data scope's intersection rule, and the server-side
matrix: every data function a page calls, through the app's one cached path (``app.data.cached``),
returns ZERO rows of another business unit to a scoped user, even when the filter asks for more.
Rows are counted, not sampled."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from analytics.errors import InputError
from analytics.lakehouse import connection
from analytics.product.scope import Scope, asset_units, period_range, previous_window

FIRST = date(2024, 11, 1)


# ---------------------------------------------------------------- windows, hand-worked

@pytest.mark.parametrize(("period", "last", "expected"), [
    # 12 whole calendar months, the last one holding the newest data
    ("Last 12 months", date(2026, 10, 31), (date(2025, 11, 1), date(2026, 10, 31))),
    ("Last 12 months", date(2026, 11, 26), (date(2025, 12, 1), date(2026, 11, 30))),
    ("Last 12 months", date(2026, 3, 1), (date(2025, 4, 1), date(2026, 3, 31))),
    # whole quarters
    ("This quarter", date(2026, 11, 26), (date(2026, 10, 1), date(2026, 12, 31))),
    ("Last quarter", date(2026, 11, 26), (date(2026, 7, 1), date(2026, 9, 30))),
    ("Last quarter", date(2026, 2, 10), (date(2025, 10, 1), date(2025, 12, 31))),
    ("Year to date", date(2026, 11, 26), (date(2026, 1, 1), date(2026, 11, 30))),
    # clipped to the first month with data, still whole months
    ("Year to date", date(2024, 12, 15), (FIRST, date(2024, 12, 31))),
    ("Last quarter", date(2024, 11, 20), (FIRST, FIRST)),
    ("Custom", date(2026, 10, 31), (date(2025, 11, 1), date(2026, 10, 31))),
])
def test_presets_are_whole_months(period, last, expected):
    assert period_range(period, last, FIRST) == expected


@pytest.mark.parametrize(("window", "previous"), [
    ((date(2025, 11, 1), date(2026, 10, 31)), (date(2024, 11, 1), date(2025, 10, 31))),  # the 12 months before
    ((date(2026, 1, 1), date(2026, 3, 31)), (date(2025, 10, 1), date(2025, 12, 31))),  # a quarter (90 days)
    ((date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 2, 1), date(2026, 2, 28))),  # March -> February
    ((date(2026, 3, 5), date(2026, 3, 5)), (date(2026, 3, 4), date(2026, 3, 4))),  # a day -> the day before
])
def test_previous_window(window, previous):
    assert previous_window(*window) == previous
    assert Scope(*window).previous.start == previous[0]


def test_a_window_that_ends_before_it_starts_is_refused():
    with pytest.raises(InputError, match="after the end date"):
        Scope(date(2026, 3, 2), date(2026, 3, 1))


# ---------------------------------------------------------------- the data scope rule

def test_effective_units_are_the_filter_within_the_data_scope():
    d = date(2026, 1, 1)
    assert Scope(d, d).units is None  # unrestricted, no filter: everything
    assert Scope(d, d, business_units=["Finance"]).units == ("Finance",)
    mine = Scope(d, d, allowed_units=["Retail", "Marketing"])
    assert mine.units == ("Retail", "Marketing") and mine.notice is None
    assert Scope(d, d, ["Marketing"], allowed_units=["Retail", "Marketing"]).units == ("Marketing",)
    # asking for more yields the user's own data and a notice, never the other unit
    asked = Scope(d, d, ["Finance"], allowed_units=["Retail"])
    assert asked.units == ("Retail",) and asked.refused_units == ("Finance",)
    assert "Finance is outside your data scope" in asked.notice
    both = Scope(d, d, ["Retail", "Finance"], allowed_units=["Retail"])
    assert both.units == ("Retail",) and both.notice
    assert asked.params()["business_units"] == ["Retail"]
    assert asked.narrowed.allowed_units == ("Retail",) and Scope(d, d).narrowed.allowed_units is None


# ---------------------------------------------------------------- the matrix: zero rows of another unit

ALLOWED = ("Retail",)
WINDOW = (date(2025, 11, 1), date(2026, 10, 31))
# what a scoped user can send: nothing, their own unit, another unit, both, an unknown one
ASKS = {"no_filter": None, "own": ("Retail",), "other": ("Finance",), "both": ("Retail", "Finance"),
        "unknown": ("Nowhere",)}


def _calls():
    """Every data function a page calls with the page's scope (product functions take it; the others
    are narrowed by the app's cached path), with its arguments."""
    from analytics.drift import monitor
    from analytics.governance import catalog, lineage, regulation
    from analytics.product import adoption, experiments, overview, portfolio, roi
    from analytics.quality import views

    product = [(adoption.adoption_summary, {}), (adoption.funnel, {}), (adoption.usage_over_time, {}),
               (adoption.laggard_teams, {}), (adoption.feedback_monthly, {}), (adoption.feedback_comments, {}),
               *((adoption.adoption_by, {"dimension": d}) for d in adoption.DIMENSIONS),
               (roi.portfolio_value, {}), (roi.value_by_month, {}), (roi.value_by_business_unit, {}),
               (roi.cumulative_value, {}), (roi.model_value, {"discount_rate": 0.08}), (roi.revenue_per_run, {}),
               (roi.forecast_error_reduction, {}), (roi.deployments_per_month, {}), (roi.ledger_history, {}),
               (roi.what_if, {"adoption_change": 0.2, "cost_change": 0.0}),
               (experiments.list_experiments, {}), (overview.snapshot, {}), (portfolio.models, {})]
    narrowed = [(views.failing, {}), (views.impact, {}), (views.latest, {}),
                (views.task_table, {"include_resolved": True}), (catalog.datasets, {}), (catalog.gaps, {}),
                (lineage.nodes, {}), (regulation.matrix, {"as_of": date(2026, 11, 1), "asset_kind": "dataset"}),
                (regulation.matrix, {"as_of": date(2026, 11, 1), "asset_kind": "model"}),
                (regulation.overdue, {"as_of": date(2026, 11, 1)}), (regulation.history, {}),
                (monitor.model_versions, {})]
    return product, narrowed


def _frames(result) -> list[pl.DataFrame]:
    from dataclasses import fields, is_dataclass

    if isinstance(result, pl.DataFrame):
        return [result]
    if is_dataclass(result):
        return [f for x in fields(result) for f in _frames(getattr(result, x.name))]
    return []


def foreign_rows(con, frame: pl.DataFrame, allowed=ALLOWED) -> int:
    """Rows of ``frame`` that belong to no allowed unit: by business_unit, else by the unit(s) of its
    model, dataset or experiment (a dataset shared with an allowed unit is the user's too)."""
    units = asset_units(con)

    def owned(kind: str, column: str) -> pl.DataFrame:
        mine = units.filter((pl.col("asset_kind") == kind) & pl.col("business_unit").is_in(list(allowed)))
        return frame.filter(~pl.col(column).is_in(mine["asset_id"].to_list()))

    if "business_unit" in frame.columns:
        return frame.filter(~pl.col("business_unit").is_in(list(allowed))).height
    for column, kind in (("model_id", "model"), ("dataset_id", "dataset"), ("experiment_id", "experiment")):
        if column in frame.columns:
            return owned(kind, column).height
    if {"asset_kind", "asset_id"} <= set(frame.columns):
        mine = units.filter(pl.col("business_unit").is_in(list(allowed))).select("asset_kind", "asset_id")
        return frame.join(mine, on=["asset_kind", "asset_id"], how="anti").height
    if {"kind", "id"} <= set(frame.columns):  # lineage nodes: datasets and model versions
        mine = units.filter(pl.col("business_unit").is_in(list(allowed)))
        datasets = set(mine.filter(pl.col("asset_kind") == "dataset")["asset_id"])
        models = units.filter(pl.col("asset_kind") == "model")
        unit_of = dict(zip(models["asset_id"], models["business_unit"], strict=True))

        def foreign(kind: str, node: str) -> bool:
            if kind == "dataset":
                return node not in datasets
            if kind in ("model", "model_version", "deployment"):
                owner = max((m for m in unit_of if node.startswith(m)), key=len, default=None)
                return owner is None or unit_of[owner] not in allowed
            return False

        return sum(foreign(k, i) for k, i in frame.select("kind", "id").iter_rows())
    return 0


@pytest.fixture(scope="module")
def demo_con(demo_root):
    return connection.connect(demo_root)


def test_the_demo_has_other_units_to_leak(demo_con):
    """Without the data scope these functions do return other units' rows (so the matrix can fail)."""
    product, narrowed = _calls()
    everyone = Scope(*WINDOW)
    leaked = sum(foreign_rows(demo_con, f) for fn, kw in product + narrowed
                 for f in _frames(fn(demo_con, everyone, **kw) if fn in dict(product)
                                  else fn(demo_con, **kw)))
    assert leaked > 1000


@pytest.mark.parametrize("ask", ASKS.values(), ids=ASKS.keys())
def test_no_row_of_another_unit_reaches_a_scoped_user(app_env, demo_con, ask):
    """Through app.data.cached (the path every page takes), for every asked filter: zero rows of
    another unit in every frame; and the user's own rows are there."""
    from app import data

    product, narrowed = _calls()
    scope = Scope(*WINDOW, business_units=ask, allowed_units=ALLOWED)
    own = 0
    for fn, kw in product:
        for f in _frames(data.cached(fn, scope=scope, **kw)):
            assert foreign_rows(demo_con, f) == 0, (fn.__qualname__, kw, f.head())
            own += f.height
    for fn, kw in narrowed:
        for f in _frames(data.cached(fn, scope=scope.narrowed, **kw)):
            assert foreign_rows(demo_con, f) == 0, (fn.__qualname__, kw, f.head())
            own += f.height
    assert own > 100  # the user's own data is shown (not an empty page)


def test_direct_calls_with_a_tampered_filter_return_only_own_units(demo_con):
    """Called directly (no app), a product function given a Scope that asks for another unit still
    reads only the data scope: the SQL binds ``Scope.units``."""
    from analytics.product import experiments, roi

    scope = Scope(*WINDOW, business_units=("Finance",), allowed_units=ALLOWED)
    by_month = roi.value_by_month(demo_con, scope)
    assert by_month.height and set(by_month["business_unit"]) == {"Retail"}
    finance = Scope(*WINDOW, business_units=("Finance",))
    other = experiments.list_experiments(demo_con, finance)
    if other.height:
        with pytest.raises(InputError, match="no experiment"):
            experiments.analyze_experiment(demo_con, scope, experiment_id=other["experiment_id"][0])
