"""Administrator: users and roles, and the audit log of every change."""

import streamlit as st

from analytics import sql
from analytics.governance import audit
from app import admin_actions, alert_delivery_view, auth, data, ui

auth.guard_page("admin")
st.title("Users & audit log")

with ui.panel("Users"):
    st.caption("Local user file (used when no single sign-on is configured). Passwords are stored as "
               "salted argon2id hashes.")
    ui.table(admin_actions.users_frame(), key="users")
    admin_actions.user_forms()

with ui.panel("Audit log"):
    st.caption("Every write made through the app or the CLI: who, when, what and from which page.")
    log = data.cached(audit.recent, **admin_actions.audit_filters(), limit=5000)
    if log.is_empty():
        ui.empty("No audit events match these filters.")
    else:
        ui.table(log, key="audit_log")

with ui.panel("Query timings"):
    st.caption(f"Every named query this server process ran: calls, mean, slowest and last time (ms), failures "
               f"(including those stopped at the {sql.TIME_LIMIT_S:g} s limit) and results cut at "
               f"{sql.ROW_CAP:,} rows. Also logged on `scaleboard.sql`.")
    ui.table(sql.timings(), key="query_timings")

alert_delivery_view.panel()

with ui.panel():
    auth.unlock_panel()  # clients waiting after failed sign-ins, and the release an admin can give
