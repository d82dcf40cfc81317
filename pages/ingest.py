"""Administrator: load the company's own files into the lakehouse, validated, all or nothing."""

import streamlit as st

from analytics.lakehouse.ingest import IngestError, ingestible_tables
from app import admin_actions, auth, data, ingest_view, ui

auth.guard_page("admin")
st.title("Load data")
st.caption("CSV (UTF-8, header row) or Parquet. Every file is checked against the table's schema; if any "
           "problem is found nothing is loaded. Timestamps must carry a time zone (e.g. `Z` or `+01:00`).")

tables = ingestible_tables()
name = st.selectbox("Table", tables, index=tables.index("predictions"), key="ingest_table")
with st.expander(f"Columns of {name}"):
    ui.table(ingest_view.columns_frame(name), key="ingest_columns")
files = st.file_uploader("Files", type=["csv", "parquet"], accept_multiple_files=True, key="ingest_files",
                         max_upload_size=int(data.settings().max_upload_mb))
check, load, _ = st.columns([1, 1, 3])
dry = check.button("Validate only", key="ingest_check", icon=":material/fact_check:")
go = load.button("Validate and load", type="primary", key="ingest_go", icon=":material/upload:")
if dry or go:
    with ui.panel("Result"):
        size = sum(f.size for f in files or [])
        status = st.status(f"{'Validating' if dry else 'Validating and loading'} {len(files or [])} file(s), "
                           f"{size / 1e6:,.1f} MB, against the `{name}` schema…")
        try:
            with status:
                rep = admin_actions.upload(name, files or [], dry_run=dry)
        except IngestError as exc:
            status.update(label="Nothing was loaded: the files have problems (below).", state="error")
            ingest_view.show_problems(exc)
        else:
            status.update(label="Done.", state="complete")
            verb = "are valid (nothing written yet)" if dry else "were loaded"
            st.success(f"{rep.rows:,} rows from {len(rep.files)} file(s) {verb} into `{rep.table}`.")
