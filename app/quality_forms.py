"""The Data quality page's figures and forms: the headline, the failing-row sampler, the dataset
picker and the stewardship-task form (through ``app.writes.save``). The page only places these and
makes the data calls."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.quality import tasks, views
from app import auth, data, fmt, ui, writes

WHERE = "quality_tasks"  # where task-action outcomes are confirmed (app.writes)
ACTIONS = ("acknowledge", "reassign", "resolve")


def headline(h: views.Headline) -> None:
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
        st.caption(f"{h.n_checks} checks, last evaluated {fmt.moment(h.last_checked_at)}; "
                   f"{h.n_warning} warning.")


def failing_samples(bad: pl.DataFrame) -> None:
    """Pick a failing check and show the sample rows it kept."""
    labels = [f"{r['dataset_id']} / {r['check_id']}" for r in bad.iter_rows(named=True)]
    pick = st.selectbox("Sample failing rows of", labels, key="q_sample")
    rows = views.samples(bad.row(labels.index(pick), named=True)["sample_json"])
    if rows.height:
        st.dataframe(rows, hide_index=True)
    else:
        st.caption("No row-level sample for this check (freshness and volume are about the feed, not rows).")


def pick_dataset(latest: pl.DataFrame, bad: pl.DataFrame | None) -> str | None:
    """The dataset whose trends to show: the first failing one unless the user picks another."""
    datasets = sorted(set(latest["dataset_id"].to_list())) if latest.height else []
    first_bad = bad["dataset_id"][0] if bad is not None and bad.height else (datasets[0] if datasets else None)
    return st.selectbox("Dataset", datasets, index=datasets.index(first_bad) if first_bad else 0, key="q_ds")


def task_actions(task_table: pl.DataFrame) -> None:
    """The task form for roles that may act on tasks, when any task is open; a note for the others."""
    open_tasks = task_table.filter(pl.col("status") != "resolved") if task_table.height else task_table
    # a task reads as its feed and check and when it opened, not as its key
    labels = {t: f"{d} / {c}, opened {fmt.day(at)}" for t, d, c, at in
              open_tasks.select("task_id", "dataset_id", "check_id", "opened_at").rows()} if open_tasks.height else {}
    if labels and not auth.can("quality_tasks.edit"):
        st.caption("Stewards and admins can acknowledge, reassign and resolve tasks.")
    elif labels:
        task_form(labels)


def task_form(labels: dict[str, str]) -> None:
    """Acknowledge, reassign or resolve an open task, with a reason."""
    with st.form("task_action", border=True):
        st.markdown("**Act on a task**")
        tid = st.selectbox("Task", list(labels), format_func=labels.get)
        action = st.radio("Action", ACTIONS, horizontal=True, format_func=ui.word)
        assignee = st.text_input("New assignee (reassign only)")
        reason = st.text_input("Reason (required)")
        if not st.form_submit_button("Save", type="primary"):
            return

    def write(user: dict) -> str:
        if action == "reassign":
            tasks.reassign(data.root(), tid, actor=user["name"], assignee=assignee, reason=reason)
        else:
            getattr(tasks, action)(data.root(), tid, actor=user["name"], reason=reason)
        return user["name"]

    writes.save("quality_tasks.edit", write, where=WHERE, action=f"quality_task.{action}", target=tid,
                detail=reason, done=lambda actor: f"Task {tid}: {action} saved by {actor}.")
