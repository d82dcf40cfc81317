"""Administrator: users and roles, and the audit log of every change."""

from datetime import date, timedelta

import streamlit as st

from analytics.governance import audit
from analytics.governance.users import ROLES
from app import admin_actions, alert_delivery_view, auth, data, ui

auth.guard_page("admin")
st.title("Users & audit log")

with ui.panel("Users"):
    st.caption("Local user file (used when no single sign-on is configured). Passwords are stored as "
               "salted argon2id hashes.")
    ui.table(admin_actions.users_frame(), key="users")
    add_col, remove_col = st.columns(2)
    with add_col, st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        name = st.text_input("User name", key="au_name")
        role = st.selectbox("Role", ROLES, key="au_role")
        password = st.text_input("Password (10+ characters)", type="password", key="au_password")
        units = st.text_input("Business units (optional, comma-separated)", key="au_units",
                              help="Limits a product manager to these business units.")
        if st.form_submit_button("Add user", type="primary"):
            with ui.panel():
                admin_actions.add_user(name, role, password, [u.strip() for u in units.split(",") if u.strip()])
                st.toast(f"Added {name}")
                st.rerun()
    with remove_col, st.form("remove_user"):
        st.markdown("**Remove a user**")
        victim = st.selectbox("User", admin_actions.users_frame()["name"].to_list(), key="ru_name")
        if st.form_submit_button("Remove user") and victim:
            with ui.panel():
                admin_actions.remove_user(victim)
                st.toast(f"Removed {victim}")
                st.rerun()

with ui.panel("Audit log"):
    st.caption("Every write made through the app or the CLI: who, when, what and from which page.")
    c1, c2, c3 = st.columns(3)
    today = date.today()
    picked = c1.date_input("Days", value=(today - timedelta(days=30), today), key="audit_days")
    start, end = picked if isinstance(picked, tuple) and len(picked) == 2 else (None, None)
    action = c2.selectbox("Action", [None, *data.cached(audit.actions)], key="audit_action",
                          format_func=lambda a: a or "All")
    actor = c3.text_input("Actor", key="audit_actor").strip() or None
    log = data.cached(audit.recent, start_date=start, end_date=end, actor=actor, action=action, limit=5000)
    if log.is_empty():
        ui.empty("No audit events match these filters.")
    else:
        ui.table(log, key="audit_log")

alert_delivery_view.panel()
