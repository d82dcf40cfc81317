"""The Compliance & fairness page's figures and forms: the regulation tracker's headline and edit form,
the latest fairness audit's figures, and the run-audit / sign-off form. Every write goes through
``app.writes.save``; the page only places these and makes the data calls."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import polars as pl
import streamlit as st

from analytics.governance import fairness, regulation
from app import data, fmt, ui, writes

WHERE = "compliance"  # where this page's write outcomes are confirmed (app.writes)


def regulation_headline(h: dict) -> None:
    c = st.columns(4)
    c[0].metric("Obligations tracked", fmt.count(h["n_cells"]), border=True,
                help="Cells of the matrix: data assets and models against GDPR, CCPA and SOC 2 obligations.")
    c[1].metric("Compliant", fmt.pct(h["share_compliant"]), border=True,
                help="Share of applicable cells marked compliant with an evidence link.")
    c[2].metric("Gaps", fmt.count(h["n_gaps"]), border=True, help="Cells marked as a control gap.")
    c[3].metric("Overdue reviews", fmt.count(h["n_overdue"]), border=True,
                help="Cells whose next review date has passed.")


AUDIT_COLUMNS = {"audit_id": st.column_config.Column("Audit"), "model_id": None,
                 "worst_di": st.column_config.NumberColumn("Worst disparate impact", format="%.2fx"),
                 "sign_off_reason": st.column_config.Column("Sign-off reason"),
                 "reaudit_on": st.column_config.DateColumn("Re-audit on", format="D MMM YYYY"),
                 "is_overdue": st.column_config.CheckboxColumn("Overdue"),
                 "is_latest": st.column_config.CheckboxColumn("Latest")}


def readable(df: pl.DataFrame) -> pl.DataFrame:
    """Tracker tables in words: obligations by their labels ("opt_out" -> "Opt-out") and statuses in the
    matrix's cells ("not_assessed (overdue)" -> "Not assessed (overdue)")."""
    if "obligation" in df.columns:
        df = df.with_columns(pl.col("obligation").replace(regulation.LABELS))
    cells = [c for c in df.columns if ": " in c]  # the matrix's "REG: obligation" columns
    return ui.humanize(df, *cells)


def regulation_form(kind: str, cells: pl.DataFrame, today: date) -> None:
    """Update one cell of the tracker (appended to its history with the editor's name)."""
    with st.form("reg_edit", border=True):
        st.markdown("**Update a cell** (appended to the history with your name)")
        c1, c2, c3 = st.columns(3)
        asset = c1.selectbox(f"{kind.title()}", sorted(set(cells["asset_id"].to_list())) if cells.height else [])
        reg = c2.selectbox("Regulation", list(regulation.OBLIGATIONS))
        obligation = c3.selectbox("Obligation", list(regulation.LABELS), format_func=regulation.LABELS.get)
        c4, c5, c6 = st.columns(3)
        status = c4.selectbox("Status", regulation.STATUSES, index=2, format_func=ui.word)
        owner = c5.text_input("Owner")
        evidence = c6.text_input("Evidence link (https://…)")
        c7, c8, c9 = st.columns(3)
        reviewed = c7.date_input("Reviewed on", value=today, max_value=today)
        next_review = c8.date_input("Next review", value=today + timedelta(days=365))
        note = c9.text_input("Note")
        if not st.form_submit_button("Save edit", type="primary"):
            return

    def write(user: dict) -> str:
        regulation.record(data.root(), actor=user["name"], asset_kind=kind, asset_id=asset or "", regulation=reg,
                          obligation=obligation, status=status, owner=owner, evidence_url=evidence,
                          reviewed_on=reviewed, next_review_on=next_review, note=note)
        return user["name"]

    writes.save("regulation.edit", write, where=WHERE, target=f"{asset}:{reg}:{obligation}",
                detail=f"status={status}",
                done=lambda actor: f"{reg} {regulation.LABELS[obligation]} for {asset} saved by {actor}.")


def fairness_headline(last: dict) -> None:
    """The latest audit of a model: status, worst disparate impact, sign-off and re-audit date."""
    c = st.columns(4)
    c[0].metric("Latest audit", ui.word(last["status"]), border=True,
                help="Within band: every group's disparate impact is in 0.8-1.25 and its recall and false-"
                     "positive rate are within 0.1 of the reference group's. Small groups are not shown.")
    c[1].metric("Worst disparate impact", fmt.ratio(last["worst_di"]), border=True,
                help="The group's selection rate divided by the reference group's, for the group furthest "
                     "from parity; the four-fifths band is 0.80x to 1.25x.")
    c[2].metric("Signed off by", last["signed_off_by"] or "Pending", border=True)
    c[3].metric("Re-audit due", fmt.day(last['reaudit_on']) + (" (overdue)" if last["is_overdue"] else ""),
                border=True)
    reference = f"`{last['reference_group']}`" if last["reference_group"] else "not set"
    st.caption(f"Window {fmt.day(last['window_start_at'])} to {fmt.day(last['window_end_at'])}; attribute "
               f"`{last['sensitive_attribute']}`; reference group {reference}; groups under "
               f"{fairness.MIN_GROUP_SIZE} rows are suppressed.")


def audit_window(start_date: date, end_date: date) -> tuple[datetime, datetime]:
    """The sidebar's days as the half-open UTC interval an audit reads: [start 00:00, day after end)."""
    return (datetime.combine(start_date, time(), tzinfo=UTC),
            datetime.combine(end_date + timedelta(days=1), time(), tzinfo=UTC))


def fairness_form(model: str, audits: pl.DataFrame, today: date, start_date: date, end_date: date) -> None:
    """Run an audit of ``model`` over the sidebar window, or sign off one of its audits."""
    with st.form("fa_actions", border=True):
        st.markdown(f"**Audit the sidebar window** ({fmt.day(start_date)} to {fmt.day(end_date)}) **or sign off an audit**")
        when = {a: f"Audit of {fmt.day(t)}" for a, t in audits.select("audit_id", "audited_at").rows()}
        pick = st.selectbox("Audit to sign off", list(when), format_func=when.get)
        reaudit = st.date_input("Re-audit on", value=today + timedelta(days=90), min_value=today + timedelta(days=1))
        reason = st.text_input("Reason for signing off", key="fa_reason",
                               help="Required when the audit is outside the band; kept with the sign-off.")
        b1, b2 = st.columns(2)
        run_it, sign_it = b1.form_submit_button("Run audit"), b2.form_submit_button("Sign off", type="primary")
    if run_it:
        start, end = audit_window(start_date, end_date)
        writes.save("fairness.signoff", lambda user: fairness.run_audit(data.root(), model, start=start, end=end),
                    where=WHERE, action="fairness.run", target=model,
                    detail=lambda audit_id: f"Audit {audit_id} recorded.",
                    done=lambda audit_id: f"Audit {audit_id} recorded.")
    elif sign_it and pick:
        def sign(user: dict) -> str:
            fairness.sign_off(data.root(), pick, actor=user["name"], reaudit_on=reaudit, reason=reason)
            return f"Audit {pick} signed off by {user['name']}."

        writes.save("fairness.signoff", sign, where=WHERE, action="fairness.signoff", target=pick,
                    detail=lambda done: done, done=lambda done: done)

