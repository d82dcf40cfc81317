"""Experiments: A/B tests on model changes with lift, intervals, chance to win, SRM and a verdict rule."""

import streamlit as st

from analytics.product import experiments as ex
from app import data, filters, ui
from app import experiments_view as view
from app.components import ignored_filters

scope = filters.current()
st.title("Experiments")
st.caption(f"A/B tests on model changes overlapping the window (business-unit filter via the model). A verdict needs at least {ex.MIN_UNITS_PER_ARM:,} units per arm, a healthy sample "
           f"ratio (chi-square p ≥ {ex.SRM_ALPHA}) and a Benjamini-Hochberg adjusted p-value below "
           f"{ex.ALPHA} across the test's metrics. A concluded winner's dollar lift is written to the value "
           "ledger as *measured* at the next refresh.")

ignored_filters(scope, countries="experiment units carry no country")
with ui.panel("A/B tests"):
    tests = ui.value(lambda: data.cached(ex.list_experiments, scope=scope),
                     empty="No A/B tests overlap this window for the selected business units.")
    if tests is None:  # the reason is shown above
        st.stop()
    view.tests_table(tests)

picked = view.pick_test(tests)
r = ui.value(lambda: data.cached(ex.analyze_experiment, scope=scope, experiment_id=picked))
if r is not None:
    with ui.panel():
        view.verdict(tests, picked, r)
    with ui.panel("Results per metric"):
        view.results_tables(r, picked)
