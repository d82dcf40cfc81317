"""Drift explorer: how a model's inputs and prediction moved between two windows, since when,
and whether accuracy followed. Open from an alert with ``?model=<id>&feature=<name>``."""

import streamlit as st

from analytics.drift import explain as drift_explain
from analytics.drift import monitor as drift_monitor
from analytics.drift import performance as drift_performance
from app import alert_actions, data, drift_charts, drift_insight_view, drift_view, filters, ui
from app.components import ignored_filters
from app.safe_text import md

st.title("Drift explorer")
st.caption("Reference vs current distribution of every input and the prediction, from daily profiles "
           "(`scaleboard refresh`). Green: no shift; amber: close to the threshold; red: drift.")

scope = filters.current()
ignored_filters(scope, window="the explorer picks its own reference and current windows below",
                countries="drift profiles are not kept by country")
choice = ui.value(lambda: drift_view.pick(scope))
if choice is None:  # the reason is shown in place (e.g. no model versions yet)
    st.stop()
model, asked_feature, w = choice
args = dict(model_id=model["model_id"], version=model["version"], ref_start=w.ref_start, ref_end=w.ref_end)
windows = dict(args, cur_start=w.cur_start, cur_end=w.cur_end)
root = str(data.root())
alert_actions.panel(model["model_id"], page="drift")  # latest value and severity; acknowledge, snooze

with ui.panel("Drift by feature"):
    table = ui.value(lambda: drift_explain.attach(data.cached(drift_monitor.drift_table, root=root, **windows),
                                                  data.cached(drift_explain.current, model_id=model["model_id"],
                                                              version=model["version"])))
    if table is not None:
        drift_view.drift_table(table)

if table is not None and table.height:
    with ui.panel("Feature detail"):
        row = drift_view.pick_feature(table, asked_feature)
        feature = row["column"]
        left, right = st.columns(2)
        dist = data.cached(drift_monitor.distribution, root=root, feature=feature, **windows)
        ui.chart(drift_charts.overlay, dist, feature, where=left)
        hist = data.cached(drift_monitor.drift_history, root=root, **args, start=drift_view.history_start(w),
                           end=w.cur_end, feature=feature)
        ui.chart(drift_charts.history, hist, row["threshold"], row["method"], where=right)
        since = drift_monitor.drift_since(hist, feature)
        if since:
            st.warning(f"{md(feature)} has drifted every week since {since:%d %B %Y}.", icon=":material/warning:")

    with ui.panel("Feature by week"):
        heat = data.cached(drift_monitor.drift_history, root=root, **args, start=drift_view.history_start(w),
                           end=w.cur_end)
        ui.chart(drift_charts.heatmap, heat)

with ui.panel("Performance over time"):
    perf = data.cached(drift_performance.performance, model_id=model["model_id"], version=None,  # as the alerts
                       ref_start=model["ref_start"], ref_end=model["ref_end"], val_start=model["val_start"],
                       val_end=model["val_end"])
    if perf.height == 0:
        ui.empty("No labelled outcomes for this model yet.")
    else:
        ui.chart(drift_charts.performance, perf, drift_view.pick_metric(perf))
        st.caption(f"Per week of prediction, from delayed labels; band: mean ± 3 sd of {perf['band_source'][0]}"
                   ", clipped to the metric's range. Red points fall outside the band; grey hollow points are "
                   "provisional (labels still to come) and never judged.")

drift_insight_view.estimated(model, perf, root)  # CBPE for classifiers, DLE for regressors
drift_insight_view.panels(scope, root, windows)  # worst segments; partial dependence of the top inputs

with ui.panel("Evidently report"):
    st.caption("Evidently's own full report for the same windows, on seeded samples of 20,000 rows.")
    if st.button("Build Evidently report", key="drift_evidently", icon=":material/description:"):
        with st.status("Building Evidently's report: sampling 20,000 rows of each window and comparing every "
                       "feature (this can take a minute)…") as status:
            html = data.cached(drift_monitor.evidently_html, **{k: v for k, v in windows.items() if k != "version"})
            status.update(label="Evidently report built for these windows.", state="complete", expanded=False)
        drift_view.evidently_report(html)
