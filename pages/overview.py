"""Executive overview: value, ROI, adoption, stage, risk and readiness at a glance, with deltas."""

import polars as pl
import streamlit as st

from analytics.product import kpis, overview
from analytics.readiness import summary
from app import charts, data, filters, fmt, ui
from app.components import ignored_filters, kpi_metric

scope = filters.current()
st.title("Portfolio overview")
st.caption(f"{scope.start:%-d %b %Y} – {scope.end:%-d %b %Y}; deltas compare with the previous "
           f"{scope.previous.start:%-d %b %Y} – {scope.previous.end:%-d %b %Y}. Figures are net of cost unless stated.")

# one call runs the registry's KPI queries and the panels' queries side by side
snap = None
with ui.panel():
    snap = data.cached(overview.snapshot, scope=scope)
if snap is None:  # the panel said what is wrong (e.g. the lakehouse cannot be opened)
    st.stop()
fig, monthly = snap.figures, snap.value_by_month
trend = monthly.group_by("month").agg(pl.col("net_usd").sum()).sort("month")["net_usd"]
seats = fig["adoption_rate"].extra
extras = {  # what the page adds to a registry tile: a sparkline or a note
    "value_delivered": {"chart": trend.to_list()},
    "value_to_date": {"chart": trend.cum_sum().to_list(), "note": "since first ledger month"},
    "adoption_rate": {"note": f"{fmt.count(seats['n_active_seats'])} of {fmt.count(seats['n_eligible_seats'])} seats"
                      if seats["n_eligible_seats"] else "no eligible seats in this selection"},
    "models_in_production": {"chart": snap.stages["n_production"].to_list(),
                             "note": f"{fig['models_in_production'].extra['n_pilot']} in pilot, "
                                     f"{fig['models_in_production'].extra['n_retired']} retired"},
    "models_at_risk": {"note": f"{fig['models_at_risk'].extra['n_critical']} critical"},
    "value_at_risk": {"note": "per month, open alerts"},
    "readiness_progress": {"note": f"{fig['readiness_progress'].extra['n_done']} of "
                                   f"{fig['readiness_progress'].extra['n_items']} done"},
}
for col, k in zip([*st.columns(4), *st.columns(4)], kpis.REGISTRY, strict=False):
    with col, ui.panel():
        kpi_metric(k.key, fig[k.key].value, fig[k.key].previous, **extras.get(k.key, {}))
        ignored_filters(scope, **{f: why for f, why in k.ignores.items() if f != "window"})

stamp = f"{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
st.download_button(
    "Download these figures", lambda: ui.csv_bytes(kpis.figures(
        {k: (f.value, f.previous) for k, f in fig.items()}).with_columns(
        window=pl.lit(f"{scope.start} to {scope.end}"),
        business_units=pl.lit(", ".join(scope.units) if scope.units else "all"),
        countries=pl.lit(", ".join(scope.countries) if scope.countries else "all"))),
    file_name=f"scaleboard-overview-{stamp}.csv", mime="text/csv", key="dl_overview_figures",
    icon=":material/download:", help="The eight figures above with the previous period, the change and "
    "what each means, for the board pack; every table below has its own download. For a PDF of the "
    "whole page, use the menu at the top right (⋮) → Print → Save as PDF.")

with ui.panel("Models that need attention"):
    ignored_filters(scope, window="open alerts are as of now", countries="alerts have no country")
    att = snap.attention
    if att.is_empty():
        ui.empty("No open alerts: every monitored model is within its thresholds.")
    else:
        shown = att.select("name", "business_unit", "severity", "reasons", "since_at", "value_at_risk_usd",
                           (pl.lit("/drift?model=") + pl.col("model_id")).alias("explore"))
        ui.table(ui.humanize(shown, "severity"), key="attention", column_config=ui.columns(
            name=ui.text_col("Model", "medium"), business_unit=ui.text_col("Business unit", "small"),
            severity=ui.text_col("Severity", "small"), reasons=ui.text_col("Why", "large"),
            since_at=ui.date_col("Since", width="small"),
            value_at_risk_usd=ui.usd_col("Value at risk / month", width="small"),
            explore=ui.link_col("Investigate", "Open drift")))

left, right = st.columns([3, 2])
with left, ui.panel("Value over time by business unit"):
    ignored_filters(scope, countries="the value ledger has no country")
    if monthly.is_empty():
        ui.empty("No value-ledger rows in this window. Add figures on the Value & ROI page.")
    else:
        st.altair_chart(charts.stacked_bars(monthly, x="month", y="net_usd", color="business_unit",
                                            y_title="Net value"), width="stretch")
with right, ui.panel("Who creates the value"):
    ignored_filters(scope, window="net value to date, up to the window's end",
                    countries="the value ledger has no country")
    pay = snap.payback
    by_bu = pay.group_by("business_unit").agg(pl.col("net_to_date_usd").sum()).sort("net_to_date_usd")
    if by_bu.is_empty():
        ui.empty("No value-ledger rows yet.")
    else:
        st.altair_chart(charts.hbar(by_bu, x="net_to_date_usd", y="business_unit", x_title="Net value to date"),
                        width="stretch")

with ui.panel("Models that never paid off"):
    ignored_filters(scope, countries="the value ledger has no country")
    never = pay.filter(pl.col("payback_month").is_null())
    if never.is_empty():
        ui.empty("Every model with ledger figures has paid back its cost.")
    else:
        ui.table(ui.humanize(never.select("name", "business_unit", "stage", "first_month", "benefit_to_date_usd",
                                          "cost_to_date_usd", "net_to_date_usd"), "stage"), key="never_paid",
                 column_config=ui.columns(name="Model", business_unit="Business unit", stage="Stage",
                                          first_month=ui.date_col("Since", "MMM YYYY"),
                                          benefit_to_date_usd=ui.usd_col("Benefit"),
                                          cost_to_date_usd=ui.usd_col("Cost"), net_to_date_usd=ui.usd_col("Net")))

with ui.panel("Readiness to scale"):
    ignored_filters(scope, window="readiness is as of today", business_units="the checklist is "
                    "organisation-wide", countries="the checklist is organisation-wide")
    items = data.cached(summary.readiness_summary).items.select("title", "owner", "status", "due_date",
                                                                 "is_overdue")
    ui.table(ui.humanize(items.sort("is_overdue", descending=True), "status"), key="readiness_items",
             column_config=ui.columns(title="Item", owner="Owner", status="Status",
                                      due_date=st.column_config.DateColumn("Due", format="D MMM YYYY"),
                                      is_overdue=st.column_config.CheckboxColumn("Late")))
    ui.link_to("readiness.py", "Open the readiness checklist", ":material/checklist:")
