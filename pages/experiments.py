"""Experiments: A/B tests on model changes with lift, intervals, chance to win, SRM and a verdict rule."""

import streamlit as st

from analytics.product import experiments as ex
from app import data, filters, fmt, ui
from app.components import ignored_filters

scope = filters.current()
st.title("Experiments")
st.caption(f"A/B tests on model changes overlapping the window (business-unit filter via the model). A verdict needs at least {ex.MIN_UNITS_PER_ARM:,} units per arm, a healthy sample "
           f"ratio (chi-square p ≥ {ex.SRM_ALPHA}) and a Benjamini-Hochberg adjusted p-value below "
           f"{ex.ALPHA} across the test's metrics. A concluded winner's dollar lift is written to the value "
           "ledger as *measured* at the next refresh.")

ignored_filters(scope, countries="experiment units carry no country")
with ui.panel("A/B tests"):
    tests = data.cached(ex.list_experiments, scope=scope)
    if tests.is_empty():
        ui.empty("No A/B tests overlap this window for the selected business units.")
        st.stop()
    ui.table(tests, key="experiments", height=240, column_config=ui.columns(
        experiment_id="Id", model_id=None, model_name="Model", business_unit="Business unit", name="Test",
        hypothesis="Hypothesis", control="Control", primary_metric="Primary metric",
        started_at=ui.date_col("Started"), ended_at=ui.date_col("Ended"), status="Status", n_units="Units",
        n_metrics="Metrics"))

names = dict(tests.select("experiment_id", "name").rows())
picked = st.selectbox("A/B test", list(names), format_func=lambda i: f"{names[i]} ({i})", key="experiment_pick")

with ui.panel():
    r = data.cached(ex.analyze_experiment, scope=scope, experiment_id=picked)
    d = tests.filter(tests["experiment_id"] == picked).row(0, named=True)
    st.subheader(d["name"])
    st.markdown(f"**Hypothesis.** {d['hypothesis'] or '–'}  \n**Model** {d['model_name']} · **status** "
                f"{d['status']} · **primary metric** `{r.primary_metric}`")
    primary = r.results.filter(r.results["metric"] == r.primary_metric)
    c = st.columns([2, 1, 1, 1])
    verdict, detail = fmt.headline(r.verdict)
    c[0].metric("Verdict (primary metric)", verdict, border=True, help=detail,
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

with ui.panel("Results per metric"):
    st.caption("Lift and intervals at 95%. Means: Welch's t-test; proportions: pooled two-proportion z-test "
               "(Wald interval). With a pre-period covariate, CUPED-adjusted values and Welch; *CUPED* is the "
               "variance it removed. q = Benjamini-Hochberg adjusted p-value.")
    ui.table(r.results, key=f"experiment_results_{picked}", column_config=ui.columns(
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
