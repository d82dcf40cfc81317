"""Value & ROI: benefit and cost per month and model, ROI, payback, NPV, attribution, what-if, ledger edits."""

import streamlit as st

from analytics.product import roi
from app import charts, data, filters, ui
from app import roi_view as view
from app.components import ignored_filters
from app.ledger_entry import ledger_entry_panel

scope = filters.current()
st.title("Value & ROI")
st.caption("From the value ledger (newest entry per month, model and category wins; older entries stay in "
           "the history). A month counts when its first day is in the window.")
ignored_filters(scope, countries="the value ledger has no country (it only drives the what-if panel and "
                "forecast error is not by country)")

with ui.panel():
    view.headline(data.cached(roi.portfolio_value, scope=scope))

left, right = st.columns([3, 2])
with left, ui.panel("Net value per month by business unit"):
    monthly = data.cached(roi.value_by_month, scope=scope)
    if monthly.is_empty():
        ui.empty("No ledger figures in this window. Add them below (form or CSV).")
    else:
        ui.chart(charts.stacked_bars, monthly, x="month", y="net_usd", color="business_unit",
                 y_title="Net value")
        view.monthly_table(monthly)
with right, ui.panel("Portfolio by business unit"):
    view.business_unit_table(data.cached(roi.value_by_business_unit, scope=scope))
    cum = data.cached(roi.cumulative_value, scope=scope)
    if not cum.is_empty():
        ui.chart(charts.over_time, cum, x="month", y="cumulative_net_usd", mark="area", y_format="$.2s",
                 y_title="Cumulative net")

with ui.panel("Models: ROI, payback and NPV"):
    rate = view.discount_rate(data.settings().discount_rate)
    view.model_table(data.cached(roi.model_value, discount_rate=rate, scope=scope))

left, right = st.columns(2)
with left, ui.panel("What if", border=True):
    adopt, cost = view.what_if_inputs()
    view.what_if_figures(data.cached(roi.what_if, adoption_change=adopt, cost_change=cost, scope=scope), scope.countries)
with right, ui.panel("Incentive KPIs"):
    view.revenue_per_run_table(data.cached(roi.revenue_per_run, scope=scope))
    view.forecast_error_table(data.cached(roi.forecast_error_reduction, scope=scope))
    dep = data.cached(roi.deployments_per_month, scope=scope)
    if not dep.is_empty():
        ui.chart(charts.over_time, dep, x="month", y="n_production_deployments", mark="bar",
                 y_title="Deployments", height=180)
        view.deployments_table(dep)

with ui.panel("Ledger figures and history"):
    view.ledger_history_table(data.cached(roi.ledger_history, scope=scope))

ledger_entry_panel()
