"""Compliance & fairness: the regulation tracker (assets x obligations, overdue reviews, edits
appended with who and when) and fairness audits of classifiers with a sensitive attribute."""

from datetime import UTC, date, datetime, time, timedelta

import streamlit as st

from analytics.governance import fairness, regulation
from analytics.product import portfolio
from app import auth, data, filters, fmt, ui
from app import quality_charts as charts
from app.components import ignored_filters

st.title("Compliance & fairness")
today = date.today()
scope = filters.current()
mine = scope.narrowed  # assets of the selected business units (and your data scope)
can_edit = auth.can("regulation.edit")
if msg := st.session_state.pop("c_flash", None):
    st.success(msg)


def saved(message: str) -> None:
    st.session_state["c_flash"] = message
    st.rerun()


with ui.panel("Regulation tracker"):
    ignored_filters(scope, window="the tracker is as of today", business_units="these four are totals over "
                    "every asset", countries="assets have no country")
    h = data.cached(regulation.headline, as_of=today)
    c = st.columns(4)
    c[0].metric("Obligations tracked", fmt.count(h["n_cells"]), border=True,
                help="Cells of the matrix: data assets and models against GDPR, CCPA and SOC 2 obligations.")
    c[1].metric("Compliant", fmt.pct(h["share_compliant"]), border=True,
                help="Share of applicable cells marked compliant with an evidence link.")
    c[2].metric("Gaps", fmt.count(h["n_gaps"]), border=True, help="Cells marked as a control gap.")
    c[3].metric("Overdue reviews", fmt.count(h["n_overdue"]), border=True,
                help="Cells whose next review date has passed.")
    kind = st.segmented_control("Assets", ["dataset", "model"], default="dataset", key="reg_kind") or "dataset"
    cells = data.cached(regulation.matrix, scope=mine, as_of=today, asset_kind=kind)
    ui.table(regulation.pivot(cells), key="regulation_matrix")
    over = data.cached(regulation.overdue, scope=mine, as_of=today)
    if over.height:
        st.markdown(f"**{over.height} overdue review(s)**")
        ui.table(over, key="regulation_overdue", column_config={"evidence_url": st.column_config.LinkColumn("Evidence link")})
    if not can_edit:
        st.caption("Stewards and admins can update the tracker and sign off fairness audits.")
    else:
        with st.form("reg_edit", border=True):
            st.markdown("**Update a cell** (appended to the history with your name)")
            c1, c2, c3 = st.columns(3)
            asset = c1.selectbox(f"{kind.title()}", sorted(set(cells["asset_id"].to_list())) if cells.height else [])
            reg = c2.selectbox("Regulation", list(regulation.OBLIGATIONS))
            obligation = c3.selectbox("Obligation", list(regulation.LABELS), format_func=regulation.LABELS.get)
            c4, c5, c6 = st.columns(3)
            status = c4.selectbox("Status", regulation.STATUSES, index=2)
            owner = c5.text_input("Owner")
            evidence = c6.text_input("Evidence link (https://…)")
            c7, c8, c9 = st.columns(3)
            reviewed = c7.date_input("Reviewed on", value=today, max_value=today)
            next_review = c8.date_input("Next review", value=today + timedelta(days=365))
            note = c9.text_input("Note")
            if st.form_submit_button("Save edit", type="primary"):
                try:
                    actor = auth.require("regulation.edit")["name"]
                    regulation.record(data.root(), actor=actor, asset_kind=kind, asset_id=asset or "",
                                      regulation=reg, obligation=obligation, status=status, owner=owner,
                                      evidence_url=evidence, reviewed_on=reviewed, next_review_on=next_review,
                                      note=note)
                except Exception as exc:  # noqa: BLE001 - shown in place
                    ui.show_error(exc)
                else:
                    auth.audit("regulation.edit", f"{asset}:{reg}:{obligation}", f"status={status}")
                    saved(f"{reg} {regulation.LABELS[obligation]} for {asset} saved by {actor}.")
    with st.expander("Edit history"):
        ui.table(data.cached(regulation.history, scope=mine), key="regulation_history")

with ui.panel("Fairness audits"):
    in_scope = set(data.cached(portfolio.models, scope=mine)["model_id"].to_list())
    models = [m for m in data.cached(fairness.audited_models) if m in in_scope]
    if not models:
        ui.empty("No classifier declares a sensitive attribute.")
        st.stop()
    model = st.selectbox("Model", models, key="fa_model")
    audits = data.cached(fairness.summary, scope=mine, as_of=today, model_id=model)
    if audits.is_empty():
        ui.empty("No audit recorded for this model yet.")
    else:
        last = audits.row(0, named=True)
        c = st.columns(4)
        c[0].metric("Latest audit", last["status"], border=True,
                    help="Within band: every group's disparate impact is in 0.8-1.25 and its recall and false-"
                         "positive rate are within 0.1 of the reference group's. Small groups are not shown.")
        c[1].metric("Worst disparate impact", fmt.ratio(last["worst_di"]), border=True,
                    help="The group's selection rate divided by the reference group's, for the group furthest "
                         "from parity; the four-fifths band is 0.80x to 1.25x.")
        c[2].metric("Signed off by", last["signed_off_by"] or "pending", border=True)
        c[3].metric("Re-audit due", f"{last['reaudit_on']:%Y-%m-%d}" + (" (overdue)" if last["is_overdue"] else ""),
                    border=True)
        st.caption(f"Window {last['window_start_at']:%Y-%m-%d} to {last['window_end_at']:%Y-%m-%d}; attribute "
                   f"`{last['sensitive_attribute']}`; reference group `{last['reference_group']}`; groups under "
                   f"{fairness.MIN_GROUP_SIZE} rows are suppressed.")
        ui.table(data.cached(fairness.latest_groups, scope=mine, as_of=today, model_id=model), key="fairness_groups")
        st.altair_chart(charts.disparate_impact(data.cached(fairness.audits, scope=mine, as_of=today, model_id=model)),
                        width="stretch")
        ui.table(audits, key="fairness_audits")
    if auth.can("fairness.signoff"):
        with st.form("fa_actions", border=True):
            st.markdown(f"**Audit the sidebar window** ({scope.start} to {scope.end}) **or sign off an audit**")
            pick = st.selectbox("Audit to sign off", audits["audit_id"].to_list() if audits.height else [])
            reaudit = st.date_input("Re-audit on", value=today + timedelta(days=90),
                                    min_value=today + timedelta(days=1))
            reason = st.text_input("Reason for signing off", key="fa_reason",
                                   help="Required when the audit is outside the band; kept with the sign-off.")
            b1, b2 = st.columns(2)
            run_it, sign_it = b1.form_submit_button("Run audit"), b2.form_submit_button("Sign off", type="primary")
            if run_it or (sign_it and pick):
                try:
                    actor = auth.require("fairness.signoff")["name"]
                    if run_it:
                        start = datetime.combine(scope.start, time(), tzinfo=UTC)
                        end = datetime.combine(scope.end + timedelta(days=1), time(), tzinfo=UTC)
                        done = f"Audit {fairness.run_audit(data.root(), model, start=start, end=end)} recorded."
                    else:
                        fairness.sign_off(data.root(), pick, actor=actor, reaudit_on=reaudit, reason=reason)
                        done = f"Audit {pick} signed off by {actor}."
                except Exception as exc:  # noqa: BLE001 - shown in place
                    ui.show_error(exc)
                else:
                    auth.audit("fairness.run" if run_it else "fairness.signoff", model if run_it else pick, done)
                    saved(done)
