"""Administrator actions: user management (through the app's write path, ``app.writes.save``) and
uploads, with the forms that call them. Pages only place the forms."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl
import streamlit as st

from analytics.errors import InputError
from analytics.governance import audit, users
from analytics.governance.users import ROLES
from analytics.lakehouse import ingest
from app import auth, data, ui, writes

WHERE = "users"  # where user-management outcomes are confirmed (app.writes)


def users_frame() -> pl.DataFrame:
    auth.require("users.manage")
    rows = [{"name": u.name, "role": u.role, "business_units": ", ".join(u.business_units),
             "created_at": u.created_at} for u in users.list_users(data.settings().users_file)]
    df = pl.DataFrame(rows, schema={"name": pl.String, "role": pl.String, "business_units": pl.String,
                                    "created_at": pl.String})
    # a time, not ISO text, so the table shows it like every other time ("26 Nov 2026, 16:56")
    return df.with_columns(pl.col("created_at").str.to_datetime(time_zone="UTC", strict=False))


def add_user(name: str, role: str, password: str, business_units: Sequence[str] = (), *,
             rerun: bool = True) -> users.User | None:
    name = (name or "").strip()
    return writes.save(
        "users.manage", lambda me: users.add_user(data.settings().users_file, name, role, password,
                                                  business_units=tuple(business_units)),
        where=WHERE, action="users.add", target=name, detail=lambda u: f"role={u.role}",
        done=lambda u: f"Added {u.name} ({u.role.replace('_', ' ')}).", rerun=rerun)


def remove_user(name: str, *, rerun: bool = True) -> None:
    def write(me: dict) -> None:
        if name == me["name"]:
            raise InputError("You cannot remove yourself; ask another administrator.")
        users.remove_user(data.settings().users_file, name)

    writes.save("users.manage", write, where=WHERE, action="users.remove", target=name,
                done=f"Removed {name}.", rerun=rerun)


def user_forms() -> None:
    """The add-user and remove-user forms, side by side, with the last outcome above them."""
    writes.confirmation(WHERE)
    add_col, remove_col = st.columns(2)
    with add_col, st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        name = st.text_input("User name", key="au_name")
        role = st.selectbox("Role", ROLES, key="au_role", format_func=ui.word)
        password = st.text_input("Password (10+ characters)", type="password", key="au_password")
        units = st.text_input("Business units (optional, comma-separated)", key="au_units",
                              help="Limits a product manager to these business units.")
        if st.form_submit_button("Add user", type="primary"):
            add_user(name, role, password, [u.strip() for u in units.split(",") if u.strip()])
    with remove_col, st.form("remove_user"):
        st.markdown("**Remove a user**")
        victim = st.selectbox("User", users_frame()["name"].to_list(), key="ru_name")
        if st.form_submit_button("Remove user") and victim:
            remove_user(victim)


def audit_filters() -> dict:
    """The audit log's filter widgets as ``audit.recent`` arguments (days, action, actor)."""
    c1, c2, c3 = st.columns(3)
    today = date.today()
    picked = c1.date_input("Days", value=(today - timedelta(days=30), today), key="audit_days")
    start, end = picked if isinstance(picked, tuple) and len(picked) == 2 else (None, None)
    action = c2.selectbox("Action", [None, *data.cached(audit.actions)], key="audit_action",
                          format_func=lambda a: ui.word(a) or "All")
    actor = c3.text_input("Actor", key="audit_actor").strip() or None
    return {"start_date": start, "end_date": end, "actor": actor, "action": action}


def upload(table_name: str, files: Sequence, *, dry_run: bool = False,
           options: ingest.Options | None = None) -> ingest.IngestReport:
    """Validate uploaded files (Streamlit ``UploadedFile`` objects) and load them all or nothing.

    Not through ``writes.save``: ``ingest.ingest`` writes its own audit event (the CLI's loads are
    audited the same way) and the page lists each rejected row, which a one-line outcome cannot."""
    me = auth.require("ingest.upload")
    if not files:
        raise InputError("Choose at least one .csv or .parquet file first.")
    max_bytes = int(data.settings().max_upload_mb * 1024 * 1024)
    sources = [ingest.Source(name=f.name, data=f.getvalue()) for f in files]
    return ingest.ingest(data.root(), table_name, sources, actor=me["name"], role=me["role"],
                         page="ingest", max_bytes=max_bytes, dry_run=dry_run, options=options)
