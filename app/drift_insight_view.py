"""The drift explorer's model-level panels: the worst segments (teams, countries) and the partial
dependence of the top inputs, in words rather than codes."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.drift import dependence as drift_dependence
from analytics.drift import estimate as drift_estimate
from analytics.drift import explain as drift_explain
from analytics.drift import segments as drift_segments
from analytics.drift.policy import MIN_SEGMENT_LABELLED
from analytics.product.scope import Scope
from app import data, drift_charts, ui

METRIC_WORDS = {"auc": "AUC", "mae": "Mean absolute error"}


def estimated(model: dict, perf: pl.DataFrame, root: str) -> None:
    """The performance estimated before labels arrive, beside the realised one: AUC from the scores
    (CBPE) for a classifier, mean absolute error from the inputs (DLE) for a regressor."""
    classifier = model["task"] == "classification"
    with ui.panel("Performance before labels arrive"):
        if classifier:
            est = ui.value(lambda: data.cached(drift_estimate.estimate, model_id=model["model_id"],
                                               version=model["version"], train_end=model["ref_end"]))
        else:
            est = ui.value(lambda: data.cached(drift_estimate.estimate_loss, root=root, model_id=model["model_id"],
                                               version=model["version"], train_end=model["ref_end"]))
        if est is None:
            return
        ui.chart(drift_charts.estimated, est, perf, "auc" if classifier else "mae")
        how = ("AUC estimated from the scores alone (confidence-based performance estimation, calibrated on "
               "labelled weeks after training)" if classifier else
               "Mean absolute error estimated from the inputs and the prediction (direct loss estimation: a "
               "model of the error fitted on labelled weeks after training)")
        st.caption(f"{how}, with its band, next to the realised figure once labels arrive. It assumes only the "
                   "inputs shifted, not what they mean (docs/drift.md).")


def panels(scope: Scope, root: str, windows: dict) -> None:
    """Both panels for the explorer's model version and windows, each through the scoped cache (rows of
    models outside the user's units are dropped server-side)."""
    with ui.panel("Worst segments"):
        seg = ui.value(lambda: data.cached(drift_segments.segments, scope=scope, root=root, **windows))
        if seg is not None:
            worst_segments(seg)
    with ui.panel("How the top inputs move the output"):
        curves = ui.value(lambda: data.cached(drift_dependence.current, scope=scope, model_id=windows["model_id"],
                                              version=windows["version"]))
        if curves is not None:
            dependence(curves)


def worst_segments(table: pl.DataFrame) -> None:
    """The segments furthest below the model's overall metric, then every segment on demand."""
    if table.is_empty():
        ui.empty("No labelled or scored requests with a team or country in the current window.")
        return
    metric = METRIC_WORDS[table["metric"][0]]
    overall = table["overall"].drop_nulls()
    worst = drift_segments.worst(table)
    st.caption(f"{metric} of each team and country on the labelled requests predicted in the current window, "
               f"against the model's {metric} on the same requests"
               + (f" ({overall[0]:.3f})" if overall.len() else "")
               + f"; segments with fewer than {MIN_SEGMENT_LABELLED} labels say “too few rows”. Score shift: the "
               "segment's scores now against its scores in the reference window (PSI).")
    if table["drop"].is_null().all():
        ui.empty(f"No team or country has {MIN_SEGMENT_LABELLED} labels in the current window yet: no segment "
                 "can be judged (each says “too few rows”).")
    elif worst.is_empty():
        st.success("No team or country does worse than the model as a whole.", icon=":material/check_circle:")
    else:
        _segment_frame(worst)
    with st.expander(f"All {table.height} segments"):
        _segment_frame(table)


def _segment_frame(table: pl.DataFrame) -> None:
    metric = METRIC_WORDS[table["metric"][0]]
    shown = table.select(
        Segment=pl.col("segment_kind").replace_strict(drift_segments.SEGMENT_KINDS, default=pl.col("segment_kind"))
        + ": " + pl.col("segment"),
        Verdict="verdict", value="value", drop="drop", Labelled="n_labelled", **{"Score shift": "shift"}, psi="psi",
        n_cur="n_cur")
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="–", column_config={
        "value": st.column_config.NumberColumn(metric, format="%.3f"),
        "drop": st.column_config.NumberColumn("Worse by", format="%.3f",
                                              help=f"How much worse than the model's {metric} on the same window."),
        "Labelled": st.column_config.NumberColumn("Labelled", format="%d"),
        "psi": st.column_config.NumberColumn("PSI", format="%.3f", help="Bands: < 0.1 stable, 0.1-0.25 moving, "
                                             ">= 0.25 shifted (deciles of the reference)."),
        "n_cur": st.column_config.NumberColumn("Scored", format="%d")})


def dependence(curves: pl.DataFrame) -> None:
    """The stored curves, and in words which model they come from."""
    if curves.is_empty():
        ui.empty("No partial dependence for this version yet: `scaleboard refresh` draws it once the inputs' "
                 "importance is known and at least one of the top inputs is a number.")
        return
    method = curves["method"][0]
    ui.chart(drift_charts.dependence, curves)
    said = f"Computed from {drift_dependence.METHOD_LABELS[method]}"
    if method == "surrogate":
        r2 = curves["surrogate_r2"][0]
        said += (f" (it reproduces the logged scores with R² {r2:.2f})" if r2 is not None else "")
        if r2 is None or r2 < drift_explain.MIN_FAITHFUL_R2:
            st.warning("The surrogate does not reproduce this model's scores well: these curves describe the "
                       "surrogate more than the model.", icon=":material/warning:")
    st.caption(f"{said}: the model's average output with one input set to each value, the others as logged, "
               "over the newest logged requests. Shaded: where the input lay in the reference window "
               "(2nd to 98th percentile); outside it the model extrapolates.")
