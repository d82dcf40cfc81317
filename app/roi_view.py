"""The Value & ROI page's pieces: headline tiles, the per-model table, the what-if inputs and figures,
the incentive tables and the ledger history. The page makes the data calls and places these; the
ledger form is ``app.ledger_entry``."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.product import roi
from app import fmt, ui
from app.components import kpi_metric
from app.safe_text import md


def headline(v: roi.ValueSummary) -> None:
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


def monthly_table(monthly: pl.DataFrame) -> None:
    ui.table(monthly, key="value_by_month", height=200, column_config=ui.columns(
        month=ui.date_col("Month", "MMM YYYY"), business_unit="Business unit", benefit_usd=ui.usd_col("Benefit"),
        cost_usd=ui.usd_col("Cost"), net_usd=ui.usd_col("Net")))


def business_unit_table(by_bu: pl.DataFrame) -> None:
    ui.table(by_bu, key="value_by_business_unit", column_config=ui.columns(
        business_unit="Business unit", benefit_usd=ui.usd_col("Benefit"), cost_usd=ui.usd_col("Cost"),
        net_usd=ui.usd_col("Net"), roi=ui.pct_col("ROI")))


def discount_rate(default: float) -> float:
    """The NPV discount rate (a year, as a fraction) from its input, which shows percent."""
    return st.number_input("Discount rate for NPV (% a year)", 0.0, 50.0, default * 100, step=0.5,
                           key="roi_discount", help="Monthly flows discounted to the window's first month.") / 100


def model_table(per_model: pl.DataFrame) -> None:
    st.caption("Badge = the attribution behind most of the model's benefit: **Measured** by an A/B test, "
               "**Estimated** by a model, or **Self-reported**; the shares show the mix. Payback month = the "
               "first month cumulative net since the model's first ledger month is above zero.")
    shown = per_model.with_columns(pl.col("attribution").replace_strict(roi.ATTRIBUTION_LABELS, default=None))
    ui.table(shown, key="model_value", column_config=ui.columns(
        model_id=None, name="Model", business_unit="Business unit", stage="Stage", benefit_usd=ui.usd_col("Benefit"),
        cost_usd=ui.usd_col("Cost"), net_usd=ui.usd_col("Net"), roi=ui.pct_col("ROI"), npv_usd=ui.usd_col("NPV"),
        net_to_date_usd=ui.usd_col("Net to date"), payback_month=ui.date_col("Payback", "MMM YYYY"),
        attribution="Attribution", share_measured=ui.pct_col("Measured"),
        share_estimated=ui.pct_col("Estimated"), share_self_reported=ui.pct_col("Self-reported")))


def what_if_inputs() -> tuple[float, float]:
    """(adoption change, cost change) as fractions, from two sliders in percent."""
    st.caption("Benefit is assumed to scale with usage; the selected countries' part of each model's benefit "
               "is their share of its invocations. Cost changes apply to all cost. Annualised from the window.")
    a, b = st.columns(2)
    adopt = a.slider("Adoption change (%)", -100, 200, 20, 5, key="whatif_adoption")
    cost = b.slider("Cost change (%)", -100, 200, 0, 5, key="whatif_cost")
    return adopt / 100, cost / 100


def what_if_figures(w: roi.WhatIf, countries) -> None:
    m = st.columns(2)  # two figures: they share half the page and must not truncate
    m[0].metric("Net / year", fmt.usd(w.annual_net_usd), border=True, help=f"Annualised from {w.months} ledger month(s).")
    m[1].metric("Scenario / year", fmt.usd(w.scenario_net_usd),
                fmt.delta("usd", w.scenario_net_usd, w.annual_net_usd), border=True)
    where = ", ".join(countries) if countries else "all countries"
    st.caption(f"{fmt.pct(w.share_affected)} of the benefit is tied to usage in {md(where)}: the part the "
               "adoption change scales.")


def revenue_per_run_table(rpr: pl.DataFrame) -> None:
    if rpr.is_empty():  # an empty grid reads as broken; say why instead
        ui.empty("No model in the filters has incremental revenue in the window, so there is no revenue per run.")
        return
    ui.table(rpr, key="revenue_per_run", height=220, column_config=ui.columns(
        model_id=None, name="Model", business_unit="Business unit",
        incremental_revenue_usd=ui.usd_col("Incremental revenue"), n_runs="Model runs",
        revenue_per_run_usd=st.column_config.NumberColumn("Revenue per run", format="$%.4f")))


def forecast_error_table(fer: pl.DataFrame) -> None:
    ui.table(fer, key="forecast_error_reduction", height=180, column_config=ui.columns(
        model_id=None, name="Model", business_unit="Business unit", n_labelled="Labelled predictions",
        rmse=st.column_config.NumberColumn("RMSE", format="%.2f"),
        sd_actual=st.column_config.NumberColumn("Naive RMSE (SD of actuals)", format="%.2f"),
        forecast_error_reduction=ui.pct_col("Reduction in forecast error",
                                            help="1 - RMSE / SD of actuals: error saved against always "
                                                 "forecasting the mean.")))


def deployments_table(dep: pl.DataFrame) -> None:
    ui.table(dep, key="deployments_per_month", height=160, column_config=ui.columns(
        month=ui.date_col("Month", "MMM YYYY"), n_production_deployments="Successful production",
        n_deployments="All attempts"))


def ledger_history_table(hist: pl.DataFrame) -> None:
    """Every ledger entry of the window, or only the figures in force (the default)."""
    current_only = st.toggle("Only the figures in force", value=True, key="ledger_current_only")
    shown = hist.filter(pl.col("is_current")) if current_only else hist
    ui.table(shown.drop("attribution"), key="ledger_history", height=320, column_config=ui.columns(
        month=ui.date_col("Month", "MMM YYYY"), model_id=None, name="Model", business_unit="Business unit",
        category="Category", kind="Kind", amount_usd=ui.usd_col("Amount"), ci_low_usd=ui.usd_col("Interval low"),
        ci_high_usd=ui.usd_col("Interval high"), is_current="In force", entered_by="Entered by",
        entered_at=ui.date_col("Entered", ui.TIME_FORMAT), note="Note", attribution_label="Attribution"))
