"""Executive overview: value, ROI, adoption, stage, risk and readiness at a glance, with deltas."""

import polars as pl
import streamlit as st

from analytics.product import kpis, overview
from analytics.readiness import summary
from app import charts, data, filters, fmt, report_download, ui
from app.components import kpi_metric

f = filters.current()
st.title("Portfolio overview")
st.caption(f"{f.start_date:%-d %b %Y} – {f.end_date:%-d %b %Y}; deltas compare with the period of the "
           "same length just before. Figures are net of cost unless stated.")

# one call runs the filtered queries side by side; readiness does not depend on the filters
snap = None
with ui.panel():
    snap = data.cached(overview.snapshot, **f.params())
if snap is None:  # the panel said what is wrong (e.g. the lakehouse cannot be opened)
    st.stop()
v, monthly, a, s, r = snap.value, snap.value_by_month, snap.adoption, snap.stages, snap.risk

# value and previous-window value per KPI: drawn as metrics and offered as a download
figures = {
    "value_delivered": (v.net_usd, v.prev_net_usd), "value_to_date": (v.value_to_date_usd, None),
    "portfolio_roi": (v.roi, v.prev_roi), "adoption_rate": (a.adoption_rate, a.prev_adoption_rate),
    "models_in_production": (s.n_production, s.prev_production), "models_at_risk": (r.n_models_at_risk, None),
    "value_at_risk": (r.value_at_risk_usd, None),
}
rd = None  # readiness, read in its own panel below
row1, row2 = st.columns(4), st.columns(4)
with row1[0], ui.panel():
    trend = monthly.group_by("month").agg(pl.col("net_usd").sum()).sort("month")["net_usd"]
    kpi_metric("value_delivered", *figures["value_delivered"], chart=trend.to_list())
with row1[1], ui.panel():
    kpi_metric("value_to_date", *figures["value_to_date"], chart=trend.cum_sum().to_list(),
               note="since first ledger month")
with row1[2], ui.panel():
    kpi_metric("portfolio_roi", *figures["portfolio_roi"])
with row1[3], ui.panel():
    kpi_metric("adoption_rate", *figures["adoption_rate"],
               note=f"{fmt.count(a.active_users)} of {fmt.count(a.eligible_users)} seats")
with row2[0], ui.panel():
    kpi_metric("models_in_production", *figures["models_in_production"],
               chart=s.monthly["n_production"].to_list(), note=f"{s.n_pilot} in pilot, {s.n_retired} retired")
with row2[1], ui.panel():
    kpi_metric("models_at_risk", *figures["models_at_risk"], note=f"{r.n_critical} critical")
with row2[2], ui.panel():
    kpi_metric("value_at_risk", *figures["value_at_risk"], note="per month, open alerts")
with row2[3], ui.panel():
    rd = data.cached(summary.readiness_summary)
    figures["readiness_progress"] = (rd.share_done, rd.prev_share_done)
    kpi_metric("readiness_progress", *figures["readiness_progress"],
               note=f"{rd.n_done} of {rd.n_items} done, {rd.n_overdue} late")

scope = f"{f.start_date:%Y%m%d}-{f.end_date:%Y%m%d}"
st.download_button(
    "Download these figures", lambda: ui.csv_bytes(kpis.figures(figures).with_columns(
        window=pl.lit(f"{f.start_date} to {f.end_date}"),
        business_units=pl.lit(", ".join(f.business_units) if f.business_units else "all"),
        countries=pl.lit(", ".join(f.countries) if f.countries else "all"))),
    file_name=f"scaleboard-overview-{scope}.csv", mime="text/csv", key="dl_overview_figures",
    icon=":material/download:", help="The eight figures above with the previous period, the change and "
    "what each means, for the board pack; every table below has its own download.")
report_download.overview_pdf(f, snap, rd)

with ui.panel("Models that need attention"):
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
    if monthly.is_empty():
        ui.empty("No value-ledger rows in this window. Add figures on the Value & ROI page.")
    else:
        st.altair_chart(charts.stacked_bars(monthly, x="month", y="net_usd", color="business_unit",
                                            y_title="Net value"), width="stretch")
with right, ui.panel("Who creates the value"):
    pay = snap.payback
    by_bu = pay.group_by("business_unit").agg(pl.col("net_to_date_usd").sum()).sort("net_to_date_usd")
    if by_bu.is_empty():
        ui.empty("No value-ledger rows yet.")
    else:
        st.altair_chart(charts.hbar(by_bu, x="net_to_date_usd", y="business_unit", x_title="Net value to date"),
                        width="stretch")

with ui.panel("Models that never paid off"):
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
    if rd is None:  # its tile above already says what went wrong
        ui.empty("The readiness checklist could not be read.")
    else:
        items = rd.items.select("title", "owner", "status", "due_date", "is_overdue")
        ui.table(ui.humanize(items.sort("is_overdue", descending=True), "status"), key="readiness_items",
                 column_config=ui.columns(title="Item", owner="Owner", status="Status",
                                          due_date=st.column_config.DateColumn("Due", format="D MMM YYYY"),
                                          is_overdue=st.column_config.CheckboxColumn("Late")))
    ui.link_to("readiness.py", "Open the readiness checklist", ":material/checklist:")
