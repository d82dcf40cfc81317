"""Executive overview: value, ROI, adoption, stage, risk and readiness at a glance, with deltas."""

import streamlit as st

from analytics.drift import monitor as drift_monitor
from analytics.product import kpis, overview
from analytics.readiness import summary
from app import charts, data, filters, report_download, ui
from app import overview_view as view
from app.components import ignored_filters

scope = filters.current()
st.title("Portfolio overview")
st.caption(f"{scope.start:%-d %b %Y} – {scope.end:%-d %b %Y}; deltas compare with the previous "
           f"{scope.previous.start:%-d %b %Y} – {scope.previous.end:%-d %b %Y}. Figures are net of cost unless stated.")

# one call runs the registry's KPI queries and the panels' queries side by side
snap = ui.value(lambda: data.cached(overview.snapshot, scope=scope))
if snap is None:  # the error is shown in place (e.g. the lakehouse cannot be opened)
    st.stop()
# organisation-wide KPIs (readiness) do not depend on the filters: cached apart from the snapshot; when
# they cannot be read, the error is shown here once and only their tiles are missing
organisation = ui.value(lambda: data.cached(kpis.organisation)) or {}
view.kpi_tiles(snap, scope, organisation)
view.figures_download(snap, scope, organisation)
report_download.overview_pdf(scope, snap, organisation)

with ui.panel("Models that need attention"):
    ignored_filters(scope, window="open alerts are as of now", countries="alerts have no country")
    if snap.attention.is_empty() and not data.cached(drift_monitor.models_with_profiles):
        ui.empty("No model is monitored yet, so no alert can be raised: load predictions (Load data) and run "
                 "`scaleboard refresh`.")
    elif snap.attention.is_empty():
        ui.empty("No open alerts: every monitored model is within its thresholds.")
    else:
        view.attention_table(snap.attention)

left, right = st.columns([3, 2])
with left, ui.panel("Value over time by business unit"):
    ignored_filters(scope, countries="the value ledger has no country")
    if snap.value_by_month.is_empty():
        ui.empty("No value-ledger rows in this window. Add figures on the Value & ROI page.")
    else:
        ui.chart(charts.stacked_bars, snap.value_by_month, x="month", y="net_usd", color="business_unit",
                 y_title="Net value")
with right, ui.panel("Who creates the value"):
    ignored_filters(scope, window="net value to date, up to the window's end",
                    countries="the value ledger has no country")
    by_bu = overview.net_to_date_by_business_unit(snap.payback)
    if by_bu.is_empty():
        ui.empty("No value-ledger rows up to the window's end for this selection. Add figures on the Value & ROI "
                 "page.")
    else:
        ui.chart(charts.hbar, by_bu, x="net_to_date_usd", y="business_unit", x_title="Net value to date")

with ui.panel("Models that never paid off"):
    ignored_filters(scope, countries="the value ledger has no country")
    never = overview.never_paid_off(snap.payback)
    if snap.payback.is_empty():
        ui.empty("No value-ledger rows for this selection, so there is no payback to judge. Add figures on the "
                 "Value & ROI page.")
    elif never.is_empty():
        ui.empty("Every model with ledger figures has paid back its cost.")
    else:
        view.never_paid_table(never)

with ui.panel("Readiness to scale"):
    ignored_filters(scope, window="readiness is as of today", business_units="the checklist is "
                    "organisation-wide", countries="the checklist is organisation-wide")
    rd = ui.value(lambda: data.cached(summary.readiness_summary)) if organisation else None
    if rd is None:  # the error is shown above
        ui.empty("The readiness checklist could not be read.")
    else:
        view.readiness_table(rd)
    ui.link_to("readiness.py", "Open the readiness checklist", ":material/checklist:")
