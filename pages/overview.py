"""Executive overview: value, ROI, adoption, stage, risk and readiness at a glance, with deltas."""

import streamlit as st

from analytics.product import overview
from analytics.readiness import summary
from app import charts, data, filters, ui
from app import overview_view as view

f = filters.current()
st.title("Portfolio overview")
st.caption(f"{f.start_date:%-d %b %Y} – {f.end_date:%-d %b %Y}; deltas compare with the period of the "
           "same length just before. Figures are net of cost unless stated.")

# one call runs the filtered queries side by side; readiness does not depend on the filters
snap = ui.value(lambda: data.cached(overview.snapshot, **f.params()))
if snap is None:  # the error is shown in place (e.g. the lakehouse cannot be opened)
    st.stop()
row1, row2 = st.columns(4), st.columns(4)
with row2[3]:  # its own tile: when it cannot be read, the tile says why and the table below says so
    rd = ui.value(lambda: data.cached(summary.readiness_summary))
figures = view.kpi_tiles(snap, rd, row1, row2)
view.figures_download(figures, f.start_date, f.end_date, f.business_units, f.countries)

with ui.panel("Models that need attention"):
    if snap.attention.is_empty():
        ui.empty("No open alerts: every monitored model is within its thresholds.")
    else:
        view.attention_table(snap.attention)

left, right = st.columns([3, 2])
with left, ui.panel("Value over time by business unit"):
    if snap.value_by_month.is_empty():
        ui.empty("No value-ledger rows in this window. Add figures on the Value & ROI page.")
    else:
        st.altair_chart(charts.stacked_bars(snap.value_by_month, x="month", y="net_usd", color="business_unit",
                                            y_title="Net value"), width="stretch")
with right, ui.panel("Who creates the value"):
    by_bu = overview.net_to_date_by_business_unit(snap.payback)
    if by_bu.is_empty():
        ui.empty("No value-ledger rows yet.")
    else:
        st.altair_chart(charts.hbar(by_bu, x="net_to_date_usd", y="business_unit", x_title="Net value to date"),
                        width="stretch")

with ui.panel("Models that never paid off"):
    never = overview.never_paid_off(snap.payback)
    if never.is_empty():
        ui.empty("Every model with ledger figures has paid back its cost.")
    else:
        view.never_paid_table(never)

with ui.panel("Readiness to scale"):
    if rd is None:  # its tile above already says what went wrong
        ui.empty("The readiness checklist could not be read.")
    else:
        view.readiness_table(rd)
    ui.link_to("readiness.py", "Open the readiness checklist", ":material/checklist:")
