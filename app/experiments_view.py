"""The Experiments page's pieces: the test picker, the verdict header and the result tables. The page
makes the data calls and places these."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.product import experiments as ex
from app import fmt, ui, urls
from app.safe_text import md


def tests_table(tests: pl.DataFrame) -> None:
    ui.table(tests, key="experiments", height=240, column_config=ui.columns(
        experiment_id="Id", model_id=None, model_name="Model", business_unit="Business unit", name="Test",
        hypothesis="Hypothesis", control="Control", primary_metric="Primary metric",
        started_at=ui.date_col("Started"), ended_at=ui.date_col("Ended"), status="Status", n_units="Units",
        n_metrics="Metrics"))


def pick_test(tests: pl.DataFrame) -> str:
    """The test to detail: ``?test=<id>`` when it is among the listed ones (else the first, with a
    notice), kept in the URL."""
    names = dict(tests.select("experiment_id", "name").rows())
    if st.session_state.get("experiment_pick") not in names:
        asked = st.query_params.get("test")
        if asked and asked not in names:
            urls.notice(f"Test '{asked}' is not among the tests of this window and your business units; "
                        "showing the first one.")
        st.session_state["experiment_pick"] = asked if asked in names else next(iter(names))
    picked = st.selectbox("A/B test", list(names), format_func=lambda i: f"{names[i]} ({i})", key="experiment_pick")
    urls.write(test=picked)
    return picked


def verdict(tests: pl.DataFrame, picked: str, r: ex.ExperimentResult) -> None:
    """The picked test's name and hypothesis, then its verdict, lift, chance to win and sample-ratio
    health."""
    test = tests.filter(pl.col("experiment_id") == picked).row(0, named=True)
    st.subheader(md(test["name"]))
    st.markdown(f"**Hypothesis.** {md(test['hypothesis'] or '–')}  \n**Model** {md(test['model_name'])} · "
                f"**Status** {md(ui.word(test['status']))} · **Primary metric** {md(ui.word(r.primary_metric))}")
    primary = r.results.filter(pl.col("metric") == r.primary_metric)
    c = st.columns([2, 1, 1, 1])
    headline, detail = fmt.headline(r.verdict)
    c[0].metric("Verdict (primary metric)", headline, border=True, help=detail,
                delta=detail, delta_color="off", delta_arrow="off")
    if primary.height == 1:
        p = primary.row(0, named=True)
        c[1].metric("Lift", fmt.pct(p["lift"], 1), border=True,
                    help=f"95% interval {fmt.pct(p['lift_ci_low'], 1)} to {fmt.pct(p['lift_ci_high'], 1)} "
                         "(delta method).")
        c[2].metric("Chance to win", fmt.pct(p["chance_to_win"], 1), border=True,
                    help="Posterior probability that the treatment beats control.")
    c[3].metric("Sample ratio", "Healthy" if r.srm_ok else "Mismatch", border=True,
                help=f"Chi-square p = {r.srm_p_value:.2g} against an equal split; below {ex.SRM_ALPHA} the "
                     "assignment is broken and results must not be trusted." if r.srm_p_value is not None else None)
    if not r.srm_ok:
        st.error("Sample ratio mismatch: units were not split as planned, so every result below is suspect. "
                 "Check assignment and logging before reading the lift.", icon=":material/warning:")


def results_tables(r: ex.ExperimentResult, picked: str) -> None:
    st.caption("Lift and intervals at 95%. Means: Welch's t-test; proportions: pooled two-proportion z-test "
               "(Wald interval). With a pre-period covariate, CUPED-adjusted values and Welch; *CUPED* is the "
               "variance it removed. q = Benjamini-Hochberg adjusted p-value.")
    # the verdict's columns (lift with its interval) first, so they are never cut off on a laptop
    first = ["metric", "variant", "lift", "lift_ci_low", "lift_ci_high", "chance_to_win", "q_value", "verdict"]
    results = r.results.select(*[c for c in first if c in r.results.columns],
                               *[c for c in r.results.columns if c not in first])
    ui.table(results, key=f"experiment_results_{picked}", column_config=ui.columns(
        metric="Metric", metric_kind="Kind", variant="Variant", n_control="n control", n_treatment="n treatment",
        mean_control=st.column_config.NumberColumn("Mean control", format="%.4f"),
        mean_treatment=st.column_config.NumberColumn("Mean treatment", format="%.4f"),
        diff=st.column_config.NumberColumn("Difference", format="%.4f"),
        diff_ci_low=st.column_config.NumberColumn("Diff low", format="%.4f"),
        diff_ci_high=st.column_config.NumberColumn("Diff high", format="%.4f"),
        p_value=st.column_config.NumberColumn("p", format="%.2g"),
        lift=ui.pct_col("Lift"), lift_ci_low=ui.pct_col("Lift low"), lift_ci_high=ui.pct_col("Lift high"),
        chance_to_win=ui.pct_col("Chance to win"), cuped=ui.pct_col("CUPED"),
        q_value=st.column_config.NumberColumn("q", format="%.2g"), verdict="Verdict"))
    ui.table(r.counts, key=f"experiment_counts_{picked}", column_config=ui.columns(
        variant="Variant", n_units="Units", share=ui.pct_col("Share")))
