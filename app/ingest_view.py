"""Rendering for the upload page: the target table's columns and a rejected upload's problems."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.lakehouse import ingest
from analytics.lakehouse.schema import table
from app import ui


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


def show_problems(exc: ingest.IngestError) -> None:
    st.error(f"Nothing was loaded: {exc.n_problems} problem(s) found. The first ones are below; fix the "
             "file(s) and upload again.", icon=":material/error:")
    frame = pl.DataFrame([{"file": p.file, "row": p.row, "column": p.column, "problem": p.message,
                           "value": p.value} for p in exc.problems],
                         schema={"file": pl.String, "row": pl.Int64, "column": pl.String, "problem": pl.String,
                                 "value": pl.String})
    ui.table(frame, key="ingest_problems")
