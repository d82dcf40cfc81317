"""Charts are built once and shared by every session: ``ui.chart`` draws the same Vega-Lite element as
``st.altair_chart``, builds it once for the same builder, data and data scope, and again when the
data or the scope differ (a user's data scope is part of every cache key)."""

from __future__ import annotations

import importlib
import json

import pytest
from streamlit.testing.v1 import AppTest

from app import auth


def _script(mode: str, values: list[float]) -> None:
    import polars as pl
    import streamlit as st

    from app import charts, ui

    df = pl.DataFrame({"k": ["a", "b", "c"], "v": values})
    if mode == "direct":
        st.altair_chart(charts.hbar(df, x="v", y="k", x_title="Value"), width="stretch")
    else:
        ui.chart(charts.hbar, df, x="v", y="k", x_title="Value")


def _run(mode: str, values: list[float], *, role: str = "admin", units: tuple[str, ...] = ()) -> AppTest:
    at = AppTest.from_function(_script, args=(mode, values), default_timeout=60)
    at.session_state["user"] = auth.test_session(role, business_units=units)
    at.run()
    assert not at.exception, at.exception
    return at


def _element(at: AppTest):
    (chart,) = [el for el in at.main.children.values() if el.type == "vega_lite_chart"]
    return chart.proto


@pytest.fixture
def builds(monkeypatch):
    from app import charts, ui

    ui._chart_spec.clear()
    count = {"n": 0}
    real = charts.hbar

    def counting(*a, **kw):
        count["n"] += 1
        return real(*a, **kw)

    # ui.chart finds a builder by module and name (app.charts re-exports analytics.report.charts')
    monkeypatch.setattr(importlib.import_module(real.__module__), real.__qualname__, counting)
    return count


def test_the_shared_chart_is_the_element_altair_chart_draws(builds):
    direct, shared = _element(_run("direct", [1.0, 2.0, 3.0])), _element(_run("shared", [1.0, 2.0, 3.0]))
    assert json.loads(shared.spec) == json.loads(direct.spec)
    assert [(d.name, d.data.data) for d in shared.datasets] == [(d.name, d.data.data) for d in direct.datasets]
    assert shared.datasets  # the data travel with it


def test_a_chart_is_built_once_for_every_session_with_the_same_data_and_scope(builds):
    for _session in range(3):
        _run("shared", [1.0, 2.0, 3.0])
    assert builds["n"] == 1
    _run("shared", [1.0, 2.0, 4.0])  # other data: another chart
    assert builds["n"] == 2
    _run("shared", [1.0, 2.0, 3.0], role="product_manager", units=("Retail",))  # another scope: its own
    assert builds["n"] == 3
    _run("shared", [1.0, 2.0, 3.0], role="steward", units=("Retail",))
    assert builds["n"] == 3  # the same scope and data: shared


def test_a_dark_theme_viewer_gets_a_chart_in_the_dark_themes_text_colour(builds, monkeypatch):
    """The chart's text colour follows the viewer's theme, so the theme is part of the key: a chart
    built for a light-theme viewer is not handed to a dark-theme one (its axis text would be
    unreadable)."""
    import streamlit as st

    from app import charts

    kinds = iter(["light", "dark", "dark"])

    class _Theme:
        def __init__(self, kind):
            self.type = kind

    seen = []
    real_context = type(st.context)

    def theme(self):
        kind = next(kinds)
        seen.append(kind)
        return _Theme(kind)

    monkeypatch.setattr(real_context, "theme", property(theme))
    colour = {"light": charts.LIGHT_TEXT, "dark": charts.DARK_TEXT}
    monkeypatch.setattr(importlib.import_module("analytics.report.charts"), "text_colour", lambda: colour[seen[-1]])
    light, dark, dark_again = (_element(_run("shared", [1.0, 2.0, 3.0])) for _ in range(3))
    assert builds["n"] == 2  # one per theme
    assert charts.LIGHT_TEXT in light.spec and charts.DARK_TEXT in dark.spec and charts.DARK_TEXT not in light.spec
    assert dark_again.spec == dark.spec
