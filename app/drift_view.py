"""Controls of the drift explorer: model/version (preselected from ``?model=&feature=``) and windows."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from analytics.drift import monitor as drift_monitor
from app import data
from app.safe_text import sandboxed_document

WINDOW_KINDS = ("Training window", "Fixed range", "Previous period")


def pick_model() -> tuple[dict, str | None]:
    """The chosen model version row and the feature asked for in the URL (if any)."""
    versions = data.cached(drift_monitor.model_versions)
    if versions.height == 0:
        raise drift_monitor.NoDataError("No model versions in the lakehouse yet.")
    names = versions.unique("model_id", keep="first").sort("name")
    ids = names["model_id"].to_list()
    asked = st.query_params.get("model")
    c1, c2 = st.columns([3, 1])
    model_id = c1.selectbox("Model", ids, index=ids.index(asked) if asked in ids else 0, key="drift_model",
                            format_func=dict(zip(ids, names["name"], strict=True)).get)
    st.query_params["model"] = model_id
    mine = versions.filter(pl.col("model_id") == model_id)
    version = c2.selectbox("Version", mine["version"].to_list(), key=f"drift_version_{model_id}",
                           help="Profiles use the bins frozen from this version's training window.")
    return mine.filter(pl.col("version") == version).row(0, named=True), st.query_params.get("feature")


def pick_windows(model: dict) -> drift_monitor.Windows:
    """Reference (training window, fixed range or previous period) and current window (last 30 days)."""
    default = data.cached(drift_monitor.default_windows, root=str(data.root()), model_id=model["model_id"],
                          version=model["version"])
    c1, c2, c3 = st.columns([1, 1.3, 1.3])
    kind = c1.radio("Reference", WINDOW_KINDS, key="drift_ref_kind",
                    help="Training window: the data the version was trained on (its bins were frozen from it).")
    current = c3.date_input("Current window", value=(default.cur_start, default.cur_end), key="drift_cur",
                            help="Defaults to the last 30 days with data.")
    cur = current if isinstance(current, tuple) and len(current) == 2 else (default.cur_start, default.cur_end)
    if kind == "Fixed range":
        picked = c2.date_input("Reference range", value=(default.ref_start, default.ref_end), key="drift_ref")
        ref = picked if isinstance(picked, tuple) and len(picked) == 2 else (default.ref_start, default.ref_end)
    elif kind == "Previous period":
        length = (cur[1] - cur[0]).days + 1
        ref = (cur[0] - timedelta(days=length), cur[0] - timedelta(days=1))
        c2.caption(f"Reference: {ref[0]:%d %b %Y} – {ref[1]:%d %b %Y}")
    else:
        ref = (default.ref_start, default.ref_end)
        c2.caption(f"Training window: {ref[0]:%d %b %Y} – {ref[1]:%d %b %Y}")
    return drift_monitor.Windows(ref[0], ref[1], cur[0], cur[1])


def status_styler(df: pl.DataFrame):
    """The drift table with green / amber / red status cells."""
    colours = {"ok": "#dafbe1", "warning": "#fff8c5", "drift": "#ffebe9"}
    return df.to_pandas().style.map(lambda v: f"background-color: {colours.get(v, '')}",
                                    subset=[c for c in ("status", "psi_status") if c in df.columns])


def evidently_report(html: str, *, height_px: int = 900) -> None:
    """Evidently's report, built from lakehouse values, in a sandboxed frame: its scripts (and any a
    crafted value smuggles in) run without the app's origin and without network access."""
    st.iframe(sandboxed_document(html, height_px=height_px), height=height_px + 20)


def history_start(w: drift_monitor.Windows) -> date:
    return min(w.ref_end, w.cur_end - timedelta(weeks=52))
