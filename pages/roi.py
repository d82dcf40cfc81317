"""Value & ROI: benefit and cost per month and model, ROI, payback, NPV, attribution, what-if, ledger edits."""

import streamlit as st

from analytics.product import roi
from app import charts, data, filters, fmt, ui
from app.components import ignored_filters, kpi_metric
from app.ledger_entry import ledger_entry_panel

scope = filters.current()
st.title("Value & ROI")
st.caption("From the value ledger (newest entry per month, model and category wins; older entries stay in "
           "the history). A month counts when its first day is in the window.")
ignored_filters(scope, countries="the value ledger has no country (it only drives the what-if panel and "
                "forecast error is not by country)")

with ui.panel():
    v = data.cached(roi.portfolio_value, scope=scope)
    c = st.columns(5)
    c[0].metric("Benefit", fmt.usd(v.benefit_usd), fmt.delta("usd", v.benefit_usd, v.prev_benefit_usd),
                border=True, help="Incremental revenue plus cost savings in the window.")
    c[1].metric("Cost", fmt.usd(v.cost_usd), fmt.delta("usd", v.cost_usd, v.prev_cost_usd), border=True,
                delta_color="inverse", help="Infrastructure, people and licences in the window.")
    with c[2]:
        kpi_metric("value_delivered", v.net_usd, v.prev_net_usd)
    with c[3]:
        kpi_metric("portfolio_roi", v.roi, v.prev_roi)
    with c[4]:
        kpi_metric("value_to_date", v.value_to_date_usd, note="since the first ledger month")

left, right = st.columns([3, 2])
with left, ui.panel("Net value per month by business unit"):
    monthly = data.cached(roi.value_by_month, scope=scope)
    if monthly.is_empty():
        ui.empty("No ledger figures in this window. Add them below (form or CSV).")
    else:
        st.altair_chart(charts.stacked_bars(monthly, x="month", y="net_usd", color="business_unit",
                                            y_title="Net value"), width="stretch")
        ui.table(monthly, key="value_by_month", height=200, column_config=ui.columns(
            month=ui.date_col("Month", "MMM YYYY"), business_unit="Business unit", benefit_usd=ui.usd_col("Benefit"),
            cost_usd=ui.usd_col("Cost"), net_usd=ui.usd_col("Net")))
with right, ui.panel("Portfolio by business unit"):
    by_bu = data.cached(roi.value_by_business_unit, scope=scope)
    ui.table(by_bu, key="value_by_business_unit", column_config=ui.columns(
        business_unit="Business unit", benefit_usd=ui.usd_col("Benefit"), cost_usd=ui.usd_col("Cost"),
        net_usd=ui.usd_col("Net"), roi=ui.pct_col("ROI")))
    cum = data.cached(roi.cumulative_value, scope=scope)
    if not cum.is_empty():
        st.altair_chart(charts.over_time(cum, x="month", y="cumulative_net_usd", mark="area", y_format="$.2s",
                                         y_title="Cumulative net"), width="stretch")

with ui.panel("Models: ROI, payback and NPV"):
    rate = st.number_input("Discount rate for NPV (% a year)", 0.0, 50.0, data.settings().discount_rate * 100,
                           step=0.5, key="roi_discount", help="Monthly flows discounted to the window's first month.")
    per_model = data.cached(roi.model_value, scope=scope, discount_rate=rate / 100)
    st.caption("Badge = the attribution behind most of the model's benefit: **Measured** by an A/B test, "
               "**Estimated** by a model, or **Self-reported**; the shares show the mix. Payback month = the "
               "first month cumulative net since the model's first ledger month is above zero.")
    ui.table(per_model.with_columns(attribution=per_model["attribution"].replace_strict(
        roi.ATTRIBUTION_LABELS, default=None)), key="model_value", column_config=ui.columns(
        model_id=None, name="Model", business_unit="Business unit", stage="Stage", benefit_usd=ui.usd_col("Benefit"),
        cost_usd=ui.usd_col("Cost"), net_usd=ui.usd_col("Net"), roi=ui.pct_col("ROI"), npv_usd=ui.usd_col("NPV"),
        net_to_date_usd=ui.usd_col("Net to date"), payback_month=ui.date_col("Payback", "MMM YYYY"),
        attribution="Attribution", share_measured=ui.pct_col("Measured"),
        share_estimated=ui.pct_col("Estimated"), share_self_reported=ui.pct_col("Self-reported")))

left, right = st.columns(2)
with left, ui.panel("What if", border=True):
    st.caption("Benefit is assumed to scale with usage; the selected countries' part of each model's benefit "
               "is their share of its invocations. Cost changes apply to all cost. Annualised from the window.")
    a, b = st.columns(2)
    adopt = a.slider("Adoption change (%)", -100, 200, 20, 5, key="whatif_adoption")
    cost = b.slider("Cost change (%)", -100, 200, 0, 5, key="whatif_cost")
    w = data.cached(roi.what_if, scope=scope, adoption_change=adopt / 100, cost_change=cost / 100)
    where = ", ".join(scope.countries) if scope.countries else "all countries"
    m = st.columns(2)  # two figures: they share half the page and must not truncate
    m[0].metric("Net / year", fmt.usd(w.annual_net_usd), border=True,
                help=f"Annualised from {w.months} ledger month(s).")
    m[1].metric("Scenario / year", fmt.usd(w.scenario_net_usd),
                fmt.delta("usd", w.scenario_net_usd, w.annual_net_usd), border=True)
    st.caption(f"{fmt.pct(w.share_affected)} of the benefit is tied to usage in {where}: the part the "
               "adoption change scales.")
with right, ui.panel("Incentive KPIs"):
    rpr = data.cached(roi.revenue_per_run, scope=scope)
    ui.table(rpr, key="revenue_per_run", height=220, column_config=ui.columns(
        model_id=None, name="Model", business_unit="Business unit",
        incremental_revenue_usd=ui.usd_col("Incremental revenue"), n_runs="Model runs",
        revenue_per_run_usd=st.column_config.NumberColumn("Revenue per run", format="$%.4f")))
    fer = data.cached(roi.forecast_error_reduction, scope=scope)
    ui.table(fer, key="forecast_error_reduction", height=180, column_config=ui.columns(
        model_id=None, name="Model", business_unit="Business unit", n_labelled="Labelled predictions",
        rmse=st.column_config.NumberColumn("RMSE", format="%.2f"),
        sd_actual=st.column_config.NumberColumn("Naive RMSE (SD of actuals)", format="%.2f"),
        forecast_error_reduction=ui.pct_col("Reduction in forecast error",
                                            help="1 - RMSE / SD of actuals: error saved against always "
                                                 "forecasting the mean.")))
    dep = data.cached(roi.deployments_per_month, scope=scope)
    if not dep.is_empty():
        st.altair_chart(charts.over_time(dep, x="month", y="n_production_deployments", mark="bar",
                                         y_title="Deployments", height=180), width="stretch")
        ui.table(dep, key="deployments_per_month", height=160, column_config=ui.columns(
            month=ui.date_col("Month", "MMM YYYY"), n_production_deployments="Successful production",
            n_deployments="All attempts"))

with ui.panel("Ledger figures and history"):
    hist = data.cached(roi.ledger_history, scope=scope)
    current_only = st.toggle("Only the figures in force", value=True, key="ledger_current_only")
    shown = hist.filter(hist["is_current"]) if current_only else hist
    ui.table(shown.drop("attribution"), key="ledger_history", height=320, column_config=ui.columns(
        month=ui.date_col("Month", "MMM YYYY"), model_id="Model id", name="Model", business_unit="Business unit",
        category="Category", kind="Kind", amount_usd=ui.usd_col("Amount"), ci_low_usd=ui.usd_col("Interval low"),
        ci_high_usd=ui.usd_col("Interval high"), is_current="In force", entered_by="Entered by",
        entered_at=ui.date_col("Entered", "D MMM YYYY HH:mm"), note="Note", attribution_label="Attribution"))

ledger_entry_panel()
