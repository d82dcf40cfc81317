"""Controls of the drift explorer: model, version, windows and feature, each kept in the URL
(``?model=&version=&ref=&ref_from=&ref_to=&cur_from=&cur_to=&feature=``) so a link restores the view."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import streamlit as st

from analytics.drift import monitor as drift_monitor
from analytics.drift import performance as drift_performance
from analytics.product.scope import Scope
from app import data, ui, urls
from app.charts import STATUS_BACKGROUNDS, STATUS_TEXT
from app.safe_text import sandboxed_document

WINDOW_KINDS = ("Training window", "Fixed range", "Previous period")
REF_CODES = dict(zip(WINDOW_KINDS, ("training", "fixed", "previous"), strict=True))  # in the URL
COMPACT_COLUMNS = ("column", "status", "statistic", "threshold", "psi_status", "note")
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)  # what the window pickers accept


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
    if st.session_state.get("drift_model") not in ids:  # first draw: the model in the URL, if allowed
        if asked and asked not in ids:
            urls.notice(f"Model '{asked}' is not in your selection (the business-unit filter and your data "
                        "scope); showing one that is.")
        st.session_state["drift_model"] = asked if asked in ids else ids[first]
    c1, c2 = st.columns([3, 1])
    model_id = c1.selectbox("Model", ids, key="drift_model", format_func=label.get)
    urls.write(model=model_id)
    if model_id not in with_data:
        raise drift_monitor.NoDataError(f"{names.filter(pl.col('model_id') == model_id)['name'][0]} has no logged "
                                        "features or predictions yet, so there is no drift to show; pick another "
                                        "model.")
    mine = versions.filter(pl.col("model_id") == model_id)
    key, offered = f"drift_version_{model_id}", mine["version"].to_list()
    if st.session_state.get(key) not in offered:
        wanted = st.query_params.get("version") if asked == model_id else None
        if wanted and wanted not in offered:
            urls.notice(f"Version '{wanted}' of {model_id} is not known; showing {offered[0]}.")
        st.session_state[key] = wanted if wanted in offered else offered[0]
    version = c2.selectbox("Version", offered, key=key,
                           help="Profiles use the bins frozen from this version's training window.")
    urls.write(version=version)
    return mine.filter(pl.col("version") == version).row(0, named=True), st.query_params.get("feature")


def pick_windows(model: dict, from_url: bool = False) -> drift_monitor.Windows:
    """Reference (training window, fixed range or previous period) and current window (last 30 days);
    each model version starts from its own defaults, or from the URL's windows when it is the URL's."""
    default = data.cached(drift_monitor.default_windows, root=str(data.root()), model_id=model["model_id"],
                          version=model["version"])
    cur_key, ref_key = (f"drift_{w}_{model['model_id']}_{model['version']}" for w in ("cur", "ref"))
    _windows_from_url(default, cur_key, ref_key, from_url)
    c1, c2, c3 = st.columns([1, 1.3, 1.3])
    kind = c1.radio("Reference", WINDOW_KINDS, key="drift_ref_kind",
                    help="Training window: the data the version was trained on (its bins were frozen from it).")
    current = c3.date_input("Current window", key=cur_key, min_value=EARLIEST, max_value=LATEST,
                            help="Defaults to the last 30 days with data.")
    cur = current if isinstance(current, tuple) and len(current) == 2 else (default.cur_start, default.cur_end)
    if kind == "Fixed range":
        picked = c2.date_input("Reference range", key=ref_key, min_value=EARLIEST, max_value=LATEST)
        ref = picked if isinstance(picked, tuple) and len(picked) == 2 else (default.ref_start, default.ref_end)
    elif kind == "Previous period":
        length = (cur[1] - cur[0]).days + 1
        ref = (cur[0] - timedelta(days=length), cur[0] - timedelta(days=1))
        c2.caption(f"Reference: {ref[0]:%d %b %Y} – {ref[1]:%d %b %Y}")
    else:
        ref = (default.ref_start, default.ref_end)
        c2.caption(f"Training window: {ref[0]:%d %b %Y} – {ref[1]:%d %b %Y}")
    fixed = kind == "Fixed range"
    urls.write(ref=REF_CODES[kind], ref_from=ref[0] if fixed else None, ref_to=ref[1] if fixed else None,
               cur_from=cur[0], cur_to=cur[1])
    return drift_monitor.Windows(ref[0], ref[1], cur[0], cur[1])


def _windows_from_url(default: drift_monitor.Windows, cur_key: str, ref_key: str, from_url: bool) -> None:
    """On the windows' first draw: ``?ref=training|fixed|previous&ref_from=&ref_to=&cur_from=&cur_to=``
    where valid (and the URL's model version is shown), else the defaults (with a notice)."""
    if "drift_ref_kind" not in st.session_state:
        code = st.query_params.get("ref")
        kind = next((k for k, c in REF_CODES.items() if c == code), None)
        if code and kind is None:
            urls.notice(f"Reference '{code}' in the link is not one of {', '.join(REF_CODES.values())}; showing "
                        "the training window.")
        st.session_state["drift_ref_kind"] = kind or WINDOW_KINDS[0]
    for key, prefix, fallback in ((cur_key, "cur", (default.cur_start, default.cur_end)),
                                  (ref_key, "ref", (default.ref_start, default.ref_end))):
        if key not in st.session_state:
            pair = urls.date_pair(f"{prefix}_from", f"{prefix}_to", EARLIEST, LATEST) if from_url else None
            if isinstance(pair, str):
                urls.notice(pair)
            st.session_state[key] = pair if isinstance(pair, tuple) else fallback


def pick(scope: Scope) -> tuple[dict, str | None, drift_monitor.Windows]:
    """The model version, the feature asked for in the URL and the windows, from the page's controls."""
    in_url = st.query_params.get("model"), st.query_params.get("version")
    model, asked_feature = pick_model(scope)
    from_url = in_url[0] == model["model_id"] and in_url[1] in (None, model["version"])
    return model, asked_feature if from_url else None, pick_windows(model, from_url)


def drift_table(table: pl.DataFrame) -> None:
    """How many features drifted, and every feature's statistic with its status, with a download."""
    n_drift = int((table["status"] == "drift").sum())
    c1, c2, c3 = st.columns(3)
    c1.metric("Features drifted", f"{n_drift} of {table.height}", help="Status 'drift': Evidently's verdict "
              "for the method (normed Wasserstein >= 0.1 for numbers, Jensen-Shannon >= 0.1 for categories).")
    c2.metric("Share drifted", f"{n_drift / max(table.height, 1):.0%}",
              help="The dataset counts as drifted when half of its columns drift (Evidently's default).")
    c3.metric("Rows in current window", f"{int(table['n_cur'].max()):,}")
    extra = [c for c in ("importance",) if c in table.columns and table[c].is_not_null().any()]
    config = {
        "column": "Feature", "status": "Status", "method": "Method",
        "threshold": st.column_config.NumberColumn("Threshold", format="%.2f"),
        "psi_status": "PSI band", "n_ref": "Rows ref", "n_cur": "Rows cur", "note": "Note",
        "statistic": st.column_config.NumberColumn("Statistic", format="%.3f", help="Profile-based; for "
                                                   "Wasserstein a guaranteed lower bound (exact lies within + bound)."),
        "bound": st.column_config.NumberColumn("Bound", format="%.3f"),
        "importance": st.column_config.NumberColumn("Importance", format="percent", help="Share of the model's "
                                                    "output this input drives (SHAP of the registered model, or a "
                                                    "faithful surrogate of its logged scores)."),
        "psi": st.column_config.NumberColumn("PSI", format="%.3f", help="Bands: < 0.1 ok, 0.1-0.25 warning, "
                                             ">= 0.25 drift (deciles of the reference)."),
        "share_null_ref": st.column_config.NumberColumn("Null ref", format="percent"),
        "share_null_cur": st.column_config.NumberColumn("Null cur", format="percent")}
    # the columns that matter first, so a phone shows feature and status; every column on demand
    compact = [*COMPACT_COLUMNS[:2], *extra, *COMPACT_COLUMNS[2:]]
    st.dataframe(status_styler(readable(table.select(*compact))), hide_index=True, width="stretch",
                 placeholder="–", column_config=config)
    with st.expander("All columns: method, bound, nulls, rows"):
        shown = table.select("column", "status", *extra, "method", "statistic", "bound", "threshold", "psi",
                             "psi_status", "share_null_ref", "share_null_cur", "n_ref", "n_cur", "note")
        st.dataframe(status_styler(readable(shown)), hide_index=True, width="stretch", placeholder="–",
                     column_config=config)
    st.download_button("Download CSV", ui.csv_bytes(table), "drift_table.csv", key="dl_drift",
                       icon=":material/download:")


def pick_feature(table: pl.DataFrame, asked: str | None) -> dict:
    """The drift-table row of the feature to detail (the one in the URL first), kept in the URL."""
    features = table["column"].to_list()
    if st.session_state.get("drift_feature") not in features:
        if asked and asked not in features:
            urls.notice(f"Feature '{asked}' is not in this model's drift table; showing {features[0]}.")
        st.session_state["drift_feature"] = asked if asked in features else features[0]
    feature = st.selectbox("Feature", features, key="drift_feature")
    urls.write(feature=feature)
    return table.filter(pl.col("column") == feature).row(0, named=True)


def pick_metric(perf: pl.DataFrame) -> str:
    metrics = perf["metric"].unique(maintain_order=True).to_list()
    # a radio, not a segmented control: its picked label is drawn in the primary colour on a tint,
    # which cannot keep 4.5:1 in the dark theme while white button text on that colour does
    return st.radio("Metric", metrics, key="drift_metric", horizontal=True,
                    format_func=drift_performance.METRIC_LABELS.get) or metrics[0]


def readable(table: pl.DataFrame) -> pl.DataFrame:
    """The drift table in people's words: method names instead of codes."""
    if "method" not in table.columns:  # the compact table leaves it out
        return table
    return table.with_columns(pl.col("method").replace(drift_monitor.drift.METHOD_LABELS))


def status_styler(df: pl.DataFrame):
    """The drift table with green / amber / red status cells."""
    return df.to_pandas().style.map(status_cell_css,
                                    subset=[c for c in ("status", "psi_status") if c in df.columns])


def status_cell_css(status: object) -> str:
    """A status cell's tint with dark text of its own (light text on a light tint would vanish in the
    dark theme); other cells are left alone."""
    bg = STATUS_BACKGROUNDS.get(status) if isinstance(status, str) else None
    return f"background-color: {bg}; color: {STATUS_TEXT}" if bg else ""


def evidently_report(html: str, *, height_px: int = 900) -> None:
    """Evidently's report, built from lakehouse values, in a sandboxed frame: its scripts (and any a
    crafted value smuggles in) run without the app's origin and without network access."""
    st.iframe(sandboxed_document(html, height_px=height_px), height=height_px + 20)


def history_start(w: drift_monitor.Windows) -> date:
    return min(w.ref_end, w.cur_end - timedelta(weeks=52))
