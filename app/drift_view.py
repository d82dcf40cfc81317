"""Controls of the drift explorer: model/version (preselected from ``?model=&feature=``) and windows."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from analytics.drift import monitor as drift_monitor
from analytics.product.scope import Scope
from app import data

WINDOW_KINDS = ("Training window", "Fixed range", "Previous period")


def pick_model(scope: Scope) -> tuple[dict, str | None]:
    """The chosen model version row (among the models of the scope's business units) and the feature
    asked for in the URL (if any). Without a model in the URL, the first model (by name) that has
    drift profiles; models without any are listed as such, and choosing one says why nothing can be
    shown."""
    versions = data.cached(drift_monitor.model_versions, scope=scope.narrowed)
    if versions.height == 0:
        raise drift_monitor.NoDataError("No model versions in the lakehouse for this selection yet.")
    with_data = data.cached(drift_monitor.models_with_profiles)
    names = versions.unique("model_id", keep="first").sort("name")
    ids = names["model_id"].to_list()
    label = {i: n if i in with_data else f"{n} (no logged data yet)"
             for i, n in zip(ids, names["name"], strict=True)}
    asked = st.query_params.get("model")
    first = next((i for i, m in enumerate(ids) if m in with_data), None)
    if first is None:
        raise drift_monitor.NoDataError("No model in this selection has logged features or predictions yet (no "
                                        "drift profiles): load them and run `scaleboard refresh`.")
    if asked and asked not in ids:
        st.warning(f"Model '{asked}' is not in your selection (the business-unit filter and your data "
                   "scope); showing one that is.", icon=":material/lock:")
    c1, c2 = st.columns([3, 1])
    model_id = c1.selectbox("Model", ids, index=ids.index(asked) if asked in ids else first, key="drift_model",
                            format_func=label.get)
    st.query_params["model"] = model_id
    if model_id not in with_data:
        raise drift_monitor.NoDataError(f"{names.filter(pl.col('model_id') == model_id)['name'][0]} has no logged "
                                        "features or predictions yet, so there is no drift to show; pick another "
                                        "model.")
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


def readable(table: pl.DataFrame) -> pl.DataFrame:
    """The drift table in people's words: method names instead of codes."""
    return table.with_columns(pl.col("method").replace(drift_monitor.drift.METHOD_LABELS))


def status_styler(df: pl.DataFrame):
    """The drift table with green / amber / red status cells."""
    colours = {"ok": "#dafbe1", "warning": "#fff8c5", "drift": "#ffebe9"}
    return df.to_pandas().style.map(lambda v: f"background-color: {colours.get(v, '')}",
                                    subset=[c for c in ("status", "psi_status") if c in df.columns])


def history_start(w: drift_monitor.Windows) -> date:
    return min(w.ref_end, w.cur_end - timedelta(weeks=52))
