"""Drift explorer: how a model's inputs and prediction moved between two windows, since when,
and whether accuracy followed. Open from an alert with ``?model=<id>&feature=<name>``."""

import polars as pl
import streamlit as st

from analytics.drift import monitor as drift_monitor
from analytics.drift import performance as drift_performance
from app import data, drift_charts, drift_view, ui
from app.safe_text import md

st.title("Drift explorer")
st.caption("Reference vs current distribution of every input and the prediction, from daily profiles "
           "(`scaleboard refresh`). Green: no shift; amber: close to the threshold; red: drift.")

model, asked_feature, w = None, None, None
with ui.panel():
    model, asked_feature = drift_view.pick_model()
    w = drift_view.pick_windows(model)
if model is None or w is None:  # the panel above said why (no versions, no profiles, unreadable file)
    st.stop()
args = dict(model_id=model["model_id"], version=model["version"], ref_start=w.ref_start, ref_end=w.ref_end)
windows = dict(args, cur_start=w.cur_start, cur_end=w.cur_end)
root = str(data.root())

table = None
with ui.panel("Drift by feature"):
    table = data.cached(drift_monitor.drift_table, root=root, **windows)
    n_drift = int((table["status"] == "drift").sum())
    c1, c2, c3 = st.columns(3)
    c1.metric("Features drifted", f"{n_drift} of {table.height}", help="Status 'drift': Evidently's verdict "
              "for the method (normed Wasserstein >= 0.1 for numbers, Jensen-Shannon >= 0.1 for categories).")
    c2.metric("Share drifted", f"{n_drift / max(table.height, 1):.0%}",
              help="The dataset counts as drifted when half of its columns drift (Evidently's default).")
    c3.metric("Rows in current window", f"{int(table['n_cur'].max() or 0):,}")
    shown = table.select("column", "status", "method", "statistic", "bound", "threshold", "psi", "psi_status",
                         "share_null_ref", "share_null_cur", "n_ref", "n_cur", "note")
    st.dataframe(drift_view.status_styler(shown), hide_index=True, width="stretch", placeholder="–",
                 column_config={
        "column": "Feature", "status": "Status", "method": "Method", "threshold": "Threshold",
        "psi_status": "PSI band", "n_ref": "Rows ref", "n_cur": "Rows cur", "note": "Note",
        "statistic": st.column_config.NumberColumn("Statistic", format="%.3f", help="Profile-based; for "
                                                   "Wasserstein a guaranteed lower bound (exact lies within + bound)."),
        "bound": st.column_config.NumberColumn("Bound", format="%.3f"),
        "psi": st.column_config.NumberColumn("PSI", format="%.3f", help="Bands: < 0.1 ok, 0.1-0.25 warning, "
                                             ">= 0.25 drift (deciles of the reference)."),
        "share_null_ref": st.column_config.NumberColumn("Null ref", format="percent"),
        "share_null_cur": st.column_config.NumberColumn("Null cur", format="percent")})
    st.download_button("Download CSV", ui.csv_bytes(table), "drift_table.csv", key="dl_drift",
                       icon=":material/download:")

if table is not None and table.height:
    features = table["column"].to_list()
    with ui.panel("Feature detail"):
        feature = st.selectbox("Feature", features, key="drift_feature",
                               index=features.index(asked_feature) if asked_feature in features else 0)
        st.query_params["feature"] = feature
        row = table.filter(pl.col("column") == feature).row(0, named=True)
        left, right = st.columns(2)
        dist = data.cached(drift_monitor.distribution, root=root, feature=feature, **windows)
        left.altair_chart(drift_charts.overlay(dist, feature), width="stretch")
        hist = data.cached(drift_monitor.drift_history, root=root, **args, start=drift_view.history_start(w),
                           end=w.cur_end, feature=feature)
        right.altair_chart(drift_charts.history(hist, row["threshold"], row["method"]), width="stretch")
        since = drift_monitor.drift_since(hist, feature)
        if since:
            st.warning(f"{md(feature)} has drifted every week since {since:%d %B %Y}.", icon=":material/warning:")

    with ui.panel("Feature by week"):
        heat = data.cached(drift_monitor.drift_history, root=root, **args, start=drift_view.history_start(w),
                           end=w.cur_end)
        st.altair_chart(drift_charts.heatmap(heat), width="stretch", height=140 + 24 * heat["feature"].n_unique())

with ui.panel("Performance over time"):
    perf = data.cached(drift_performance.performance, model_id=model["model_id"], version=None,
                       ref_start=w.ref_start, ref_end=w.ref_end)
    if perf.height == 0:
        ui.empty("No labelled outcomes for this model yet.")
    else:
        metric = st.segmented_control("Metric", perf["metric"].unique(maintain_order=True).to_list(),
                                      default=perf["metric"][0], key="drift_metric")
        st.altair_chart(drift_charts.performance(perf, metric or perf["metric"][0]), width="stretch")
        st.caption("Per week of prediction, from delayed labels; band: reference mean ± 3 sd of the "
                   "reference weeks. Red points fall outside the band.")

with ui.panel("Evidently report"):
    st.caption("Evidently's own full report for the same windows, on seeded samples of 20,000 rows.")
    if st.button("Build Evidently report", key="drift_evidently", icon=":material/description:"):
        html = data.cached(drift_monitor.evidently_html, **{k: v for k, v in windows.items() if k != "version"})
        drift_view.evidently_report(html)
