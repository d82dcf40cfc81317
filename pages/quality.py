"""Data quality: failing checks with sample rows, value at risk downstream, health by domain,
trends against thresholds, and the stewardship tasks (acknowledge, reassign, resolve)."""

import streamlit as st

from analytics.quality import views
from app import data, filters, ui, writes
from app import quality_charts as charts
from app import quality_forms as forms
from app.components import ignored_filters

st.title("Data quality")
st.caption("Contract checks from `scaleboard check` (latest result per check). A failing check opens a task "
           "for the dataset's steward and puts the production models it feeds at risk.")
scope = filters.current()
mine = scope.narrowed  # rows of datasets feeding models in the selected business units (and your data scope)

with ui.panel():
    ignored_filters(scope, window="the figures are the latest result of every check",
                    business_units="these four are totals over every dataset", countries="datasets have no country")
    forms.headline(data.cached(views.headline))

with ui.panel("Failing checks and value at risk"):
    bad = ui.value(lambda: data.cached(views.failing, scope=mine))
    if bad is not None and bad.is_empty() and data.cached(views.domain_health).is_empty():
        ui.empty("No quality results yet, so nothing can be said to pass: run `scaleboard check`.")
    elif bad is not None and bad.is_empty():
        ui.empty("Every check passes or only warns.")
    elif bad is not None:
        ui.table(bad.select("dataset_id", "check_id", "check_kind", "status", "metric_value", "fail_threshold",
                            "steward", "message"), key="quality_failing",
                 column_config={"message": st.column_config.TextColumn("Message", width="large"),
                                "metric_value": st.column_config.NumberColumn("Value", format="%.3g")})
        st.markdown("**Production models fed by failing datasets**")
        ui.table(data.cached(views.impact, scope=mine), key="quality_impact", column_config={
            "model_id": None, "model_name": st.column_config.Column("Model"),
            "monthly_value_usd": st.column_config.NumberColumn("Monthly value (USD)", format="dollar")})
        forms.failing_samples(bad)

left, right = st.columns([1, 2])
with left, ui.panel("Health by domain"):
    ignored_filters(scope, business_units="totals per domain over every dataset")
    dom = data.cached(views.domain_health)
    if dom.is_empty():
        ui.empty("No quality results yet: run `scaleboard check`.")
    else:
        ui.chart(charts.domain_health, dom)
with right, ui.panel("Trends against thresholds"):
    ds = forms.pick_dataset(data.cached(views.latest, scope=mine), bad)
    hist = data.cached(views.history, scope=mine, dataset_id=ds, start_date=scope.start, end_date=scope.end)
    if hist.is_empty():
        ui.empty("No results for this dataset in the selected dates.")
    else:
        ui.chart(charts.check_trends, hist)

with ui.panel("Stewardship tasks"):
    writes.confirmation(forms.WHERE)
    show_all = st.toggle("Include resolved tasks", key="q_all_tasks")
    tt = data.cached(views.task_table, scope=mine, include_resolved=show_all)
    st.caption(data.cached(views.task_summary))
    if tt.is_empty():
        ui.empty("No open tasks.")
    else:
        ui.table(tt.select("task_id", "dataset_id", "check_id", "status", "assignee", "opened_at",
                           "acknowledged_at", "resolved_at", "response_hours", "resolution_hours", "last_reason"),
                 key="quality_tasks", column_config={
                     "response_hours": st.column_config.NumberColumn("Response hours", format="%.1f"),
                     "resolution_hours": st.column_config.NumberColumn("Resolution hours", format="%.1f")})
    forms.task_actions(tt)
