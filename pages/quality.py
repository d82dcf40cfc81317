"""Data quality: failing checks with sample rows, value at risk downstream, health by domain,
trends against thresholds, and the stewardship tasks (acknowledge, reassign, resolve)."""

import streamlit as st

from analytics.quality import tasks, views
from app import auth, data, filters, fmt, ui
from app import quality_charts as charts
from app.components import ignored_filters

st.title("Data quality")
st.caption("Contract checks from `scaleboard check` (latest result per check). A failing check opens a task "
           "for the dataset's steward and puts the production models it feeds at risk.")
scope = filters.current()
mine = scope.narrowed  # rows of datasets feeding models in the selected business units (and your data scope)
bad = None

with ui.panel():
    ignored_filters(scope, window="the figures are the latest result of every check",
                    business_units="these four are totals over every dataset", countries="datasets have no country")
    h = data.cached(views.headline)
    c = st.columns(4)
    c[0].metric("Failing checks", fmt.count(h.n_failing), border=True,
                help="Checks whose latest result breaches the fail threshold (or could not be evaluated).")
    c[1].metric("Datasets failing", fmt.count(h.n_datasets_failing), border=True,
                help="Datasets with at least one failing check.")
    c[2].metric("Open stewardship tasks", fmt.count(h.n_open_tasks), border=True,
                help="Tasks opened by failing checks and not yet resolved.")
    c[3].metric("Monthly value at risk", fmt.usd(h.value_at_risk_usd), border=True,
                help="Monthly benefit (mean of the last 3 ledger months) of production models downstream "
                     "of failing datasets, each model counted once.")
    if h.last_checked_at is not None:
        st.caption(f"{h.n_checks} checks, last evaluated {h.last_checked_at:%Y-%m-%d %H:%M} UTC; "
                   f"{h.n_warning} warning.")

with ui.panel("Failing checks and value at risk"):
    bad = data.cached(views.failing, scope=mine)
    if bad.is_empty():
        ui.empty("Every check passes or only warns.")
    else:
        ui.table(bad.select("dataset_id", "check_id", "check_kind", "status", "metric_value", "fail_threshold",
                            "steward", "message"), key="quality_failing",
                 column_config={"message": st.column_config.TextColumn(width="large"),
                                "metric_value": st.column_config.NumberColumn("value", format="%.3g")})
        st.markdown("**Production models fed by failing datasets**")
        ui.table(data.cached(views.impact, scope=mine), key="quality_impact", column_config={
            "monthly_value_usd": st.column_config.NumberColumn("monthly value (USD)", format="dollar")})
        pick = st.selectbox("Sample failing rows of", [f"{r['dataset_id']} / {r['check_id']}"
                                                       for r in bad.iter_rows(named=True)], key="q_sample")
        row = bad.row([f"{r['dataset_id']} / {r['check_id']}" for r in bad.iter_rows(named=True)].index(pick),
                      named=True)
        rows = views.samples(row["sample_json"])
        if rows.height:
            st.dataframe(rows, hide_index=True)
        else:
            st.caption("No row-level sample for this check (freshness and volume are about the feed, not rows).")

left, right = st.columns([1, 2])
with left, ui.panel("Health by domain"):
    ignored_filters(scope, business_units="totals per domain over every dataset")
    dom = data.cached(views.domain_health)
    if dom.is_empty():
        ui.empty("No quality results yet: run `scaleboard check`.")
    else:
        st.altair_chart(charts.domain_health(dom), width="stretch")
with right, ui.panel("Trends against thresholds"):
    latest = data.cached(views.latest, scope=mine)
    datasets = sorted(set(latest["dataset_id"].to_list())) if latest.height else []
    first_bad = bad["dataset_id"][0] if bad is not None and bad.height else (datasets[0] if datasets else None)
    ds = st.selectbox("Dataset", datasets, index=datasets.index(first_bad) if first_bad else 0, key="q_ds")
    hist = data.cached(views.history, scope=mine, dataset_id=ds, start_date=scope.start, end_date=scope.end)
    if hist.is_empty():
        ui.empty("No results for this dataset in the selected dates.")
    else:
        st.altair_chart(charts.check_trends(hist), width="stretch")

with ui.panel("Stewardship tasks"):
    if msg := st.session_state.pop("q_flash", None):
        st.success(msg)
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
    open_ids = tt.filter(tt["status"] != "resolved")["task_id"].to_list() if tt.height else []
    if open_ids and not auth.can("quality_tasks.edit"):
        st.caption("Stewards and admins can acknowledge, reassign and resolve tasks.")
    elif open_ids:
        with st.form("task_action", border=True):
            st.markdown("**Act on a task**")
            tid = st.selectbox("Task", open_ids)
            action = st.radio("Action", ["acknowledge", "reassign", "resolve"], horizontal=True)
            assignee = st.text_input("New assignee (reassign only)")
            reason = st.text_input("Reason (required)")
            if st.form_submit_button("Save", type="primary"):
                try:
                    actor = auth.require("quality_tasks.edit")["name"]
                    if action == "reassign":
                        tasks.reassign(data.root(), tid, actor=actor, assignee=assignee, reason=reason)
                    else:
                        getattr(tasks, action)(data.root(), tid, actor=actor, reason=reason)
                except Exception as exc:  # noqa: BLE001 - shown in place
                    ui.show_error(exc)
                else:
                    auth.audit(f"quality_task.{action}", tid, reason)
                    st.session_state["q_flash"] = f"Task {tid}: {action} saved by {actor}."
                    st.rerun()
