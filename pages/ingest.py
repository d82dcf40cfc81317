"""Administrator: load the company's own files into the lakehouse, validated, all or nothing."""

import streamlit as st

from analytics.lakehouse.ingest import IngestError, ingestible_tables
from app import admin_actions, auth, data, ingest_view, ui

auth.guard_page("admin")
st.title("Load data")
st.caption("CSV (header row; the delimiter, a decimal comma and a BOM are detected) or Parquet. Every file is "
           "checked against the table's schema; if any problem is found nothing is loaded.")

tables = ingestible_tables()
name = st.selectbox("Table", tables, index=tables.index("predictions"), key="ingest_table")
with st.expander(f"Columns of {name}"):
    ui.table(ingest_view.columns_frame(name), key="ingest_columns")
files = st.file_uploader("Files", type=["csv", "parquet"], accept_multiple_files=True, key="ingest_files",
                         max_upload_size=int(data.settings().max_upload_mb))
opts = None  # stays None when an option is malformed (the panel shows why)
with ui.panel():
    opts = ingest_view.options_form(name)
look, check, load, _ = st.columns([1, 1, 1, 2])
show = look.button("Preview", key="ingest_preview_go", icon=":material/visibility:")
dry = check.button("Validate only", key="ingest_check", icon=":material/fact_check:")
go = load.button("Validate and load", type="primary", key="ingest_go", icon=":material/upload:")
if show and files and opts:
    with ui.panel("Preview"):
        try:
            ingest_view.show_preview(name, files, opts)
        except IngestError as exc:
            ingest_view.show_problems(exc)
if (dry or go) and opts:
    with ui.panel("Result"):
        size = sum(f.size for f in files or [])
        status = st.status(f"{'Validating' if dry else 'Validating and loading'} {len(files or [])} file(s), "
                           f"{size / 1e6:,.1f} MB, against the `{name}` schema…")
        try:
            with status:
                rep = admin_actions.upload(name, files or [], dry_run=dry, options=opts)
        except IngestError as exc:
            status.update(label="Nothing was loaded: the files have problems (below).", state="error")
            ingest_view.show_problems(exc)
        else:
            status.update(label="Done.", state="complete")
            verb = "are valid (nothing written yet)" if dry else "were loaded"
            st.success(f"{rep.rows:,} rows from {len(rep.files)} file(s) {verb} into `{rep.table}`.")
            ingest_view.show_notices(rep.notices)
