"""Rendering for the upload page: the target table's columns, how to read files as they are (time
zone, column mapping with a preview, wide features, registering models) and a rejected upload's
problems by file, row and column."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.errors import InputError
from analytics.lakehouse import ingest
from analytics.lakehouse.schema import table
from app import ui

LARGE_MB = 20  # files above this get a progress indicator while they are read and checked


def columns_frame(name: str) -> pl.DataFrame:
    """One row per column of ``name``: type, required, key, allowed values and range."""
    spec = table(name)
    rows = []
    for f in spec.schema:
        lo_hi = ingest.RANGES.get((name, f.name)) or ingest.CLASSIFIER_RANGES.get((name, f.name))
        rng = "" if not lo_hi else f"{'' if lo_hi[0] is None else lo_hi[0]} … {'' if lo_hi[1] is None else lo_hi[1]}"
        if (name, f.name) in ingest.CLASSIFIER_RANGES:
            rng += " (classifiers)"
        rows.append({"column": f.name, "type": str(f.type), "required": f.name in spec.required,
                     "key": f.name in spec.key, "allowed values": ", ".join(spec.enums.get(f.name, ())),
                     "range": rng})
    return pl.DataFrame(rows)


def parse_pairs(text: str, what: str) -> dict[str, str]:
    """``a=b`` lines (blank lines ignored) as a dict; ``a=`` maps to nothing (drops a column)."""
    out = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        src, sep, dst = line.partition("=")
        if not sep or not src.strip():
            raise InputError(f"{what}, line {n}: {line.strip()!r} must look like name=value.")
        out[src.strip()] = dst.strip()
    return out


def options_form(name: str) -> ingest.Options:
    """The widgets that say how to read the files; returns them as ``ingest.Options``."""
    with st.expander("Files as they are: time zone, column names, wide features, new models"):
        tz = st.text_input("Time zone of naive times", key="ingest_tz", placeholder="e.g. Europe/Lisbon or UTC",
                           help="Timestamps without a zone are read as local time here and converted to UTC; "
                                "left empty, they are rejected.").strip() or None
        mapping = st.text_area("Column mapping (file column=table column, one per line; column= drops it)",
                               key="ingest_mapping", placeholder="dteday=prediction_at\ninstant=request_id")
        constants = st.text_area("Same value for every row (column=value)", key="ingest_set",
                                 placeholder="model_id=bike")
        wide = None
        if name == "features" and st.checkbox("Wide table: one column per feature", key="ingest_wide"):
            c1, c2, c3, c4 = st.columns(4)
            wide = ingest.Wide(c1.text_input("Request id column", key="ingest_id_col").strip(),
                               c2.text_input("Time column", key="ingest_time_col").strip(),
                               c3.text_input("Model", key="ingest_wide_model").strip() or None,
                               c4.text_input("Version", key="ingest_wide_version").strip() or None)
            if not wide.id_column or not wide.time_column:
                raise InputError("A wide table needs its request id and time columns named.")
        register = st.checkbox("Register models the files name but the inventory lacks", key="ingest_register",
                               help="Added as stage 'pilot' in the business unit below; task from the value "
                                    "range (scores or labels within 0..1: classification).")
        unit = st.text_input("Business unit of registered models", value="unassigned", key="ingest_unit")
    return ingest.Options(timezone=tz, mapping=parse_pairs(mapping, "Column mapping"),
                          constants=parse_pairs(constants, "Same value for every row"), wide=wide,
                          register_models=register, business_unit=unit.strip() or "unassigned")


def show_preview(name: str, files, opts: ingest.Options) -> None:
    first = files[0]
    frame, notes = ingest.preview(name, [(first.name, first.getvalue())], opts)
    st.caption(f"The first {frame.height} row(s) of {first.name} as `{name}` will receive them (types are "
               "checked on Validate).")
    ui.table(frame, key="ingest_preview")
    show_notices(notes)


def show_notices(notes) -> None:
    for note in notes:
        st.info(note, icon=":material/info:")


def large(files) -> float:
    """Total MB of the files when above ``LARGE_MB`` (else 0)."""
    mb = sum(f.size for f in files) / 1e6
    return mb if mb > LARGE_MB else 0.0


def show_problems(exc: ingest.IngestError) -> None:
    st.error(f"Nothing was loaded: {exc.n_problems} problem(s) found. The first ones are below; fix the "
             "file(s) and upload again.", icon=":material/error:")
    if exc.unknown_models:
        st.warning(f"Models not in the inventory: {', '.join(exc.unknown_models)}. Tick 'Register models the "
                   "files name' under *Files as they are*, or load a models file first.", icon=":material/info:")
    frame = pl.DataFrame([{"file": p.file, "row": p.row, "column": p.column, "problem": p.message,
                           "value": p.value} for p in exc.problems],
                         schema={"file": pl.String, "row": pl.Int64, "column": pl.String, "problem": pl.String,
                                 "value": pl.String})
    ui.table(frame, key="ingest_problems")
