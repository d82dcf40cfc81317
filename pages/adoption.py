"""Adoption: eligible users, who tried each model, who uses it regularly, lagging teams, feedback."""

import streamlit as st

from analytics.product import adoption
from app import charts, data, filters, fmt, ui
from app.components import kpi_metric

scope = filters.current()
st.title("Adoption")
st.caption("Human adoption, not traffic, counted in seats: a seat is a model and a user eligible for it; it "
           "is active when the user invoked the model on a day in the window. Country and team are the "
           "user's own.")

with ui.panel():
    s = data.cached(adoption.adoption_summary, scope=scope)
    c = st.columns(4)
    with c[0]:
        kpi_metric("adoption_rate", s.adoption_rate, s.prev_adoption_rate)
    c[1].metric("Eligible seats", fmt.count(s.eligible_seats), border=True,
                delta=fmt.delta("count", s.eligible_seats, s.prev_eligible_seats),
                help="Model-user pairs eligible on or before the end date (a person eligible for two "
                     "models counts twice).")
    c[2].metric("Active seats", fmt.count(s.active_seats), border=True,
                delta=fmt.delta("count", s.active_seats, s.prev_active_seats),
                help="Eligible seats with at least one invocation dated in the window.")
    c[3].metric("Regular seats", fmt.count(s.regular_seats), border=True,
                help="Active seats that also invoked the model in at least 3 of the 4 weeks up to the end date.")

left, right = st.columns(2)
with left, ui.panel("Funnel"):
    fun = data.cached(adoption.funnel, scope=scope)
    st.altair_chart(charts.hbar(fun, x="n_seats", y="stage", x_title="Seats", x_format=",.0f",
                                color_by_sign=False, sort=None), width="stretch")
    ui.table(fun, key="adoption_funnel", column_config=ui.columns(
        stage="Stage", n_seats="Seats", share_of_eligible=ui.pct_col("Share of eligible")))
with right, ui.panel("Active users and invocations per week"):
    st.caption("People, not seats: distinct users per week whose Monday is in the window.")
    weekly = data.cached(adoption.usage_over_time, scope=scope)
    if weekly.is_empty():
        ui.empty("No usage in this window. Usage comes from the weekly usage rollup: run `scaleboard refresh`.")
    else:
        st.altair_chart(charts.over_time(weekly, x="week_start", y="n_active_users", y_title="Active users",
                                         height=180), width="stretch")
        st.altair_chart(charts.over_time(weekly, x="week_start", y="n_invocations", y_title="Invocations",
                                         y_format="~s", height=180), width="stretch")

with ui.panel("Adoption by"):
    labels = {"model_id": "Model", "business_unit": "Business unit", "team": "Team", "country": "Country"}
    dim = st.segmented_control("Break down by", list(labels), format_func=labels.get, default="model_id",
                               key="adoption_dim") or "model_id"
    by = data.cached(adoption.adoption_by, scope=scope, dimension=dim)
    if by.is_empty():
        ui.empty("Nobody is eligible for a model in this selection.")
    else:
        ui.table(by, key=f"adoption_by_{dim}", column_config=ui.columns(
            **{dim: labels[dim]}, name="Name", business_unit="Business unit", n_eligible="Eligible",
            n_tried="Tried", n_regular="Regular", n_invocations="Invocations",
            adoption_rate=ui.pct_col("Adoption rate"), share_regular=ui.pct_col("Regular share")))

with ui.panel("Teams lagging behind"):
    lag = data.cached(adoption.laggard_teams, scope=scope)
    st.caption(f"Teams with at least {adoption.LAGGARD_MIN_ELIGIBLE} eligible seats whose adoption rate is "
               f"below half of the rate across the selection.")
    if lag.is_empty():
        ui.empty("No team is lagging: every team is at least at half of the overall adoption rate.")
    else:
        ui.table(lag, key="laggard_teams", column_config=ui.columns(
            team="Team", n_eligible="Eligible", n_tried="Tried", n_regular="Regular",
            n_invocations="Invocations", adoption_rate=ui.pct_col("Adoption rate"),
            share_regular=ui.pct_col("Regular share"), overall_rate=ui.pct_col("Overall rate")))

left, right = st.columns(2)
with left, ui.panel("Expert ratings over time"):
    fb = data.cached(adoption.feedback_monthly, scope=scope)
    if fb.is_empty():
        ui.empty("No expert ratings in this window.")
    else:
        st.altair_chart(charts.month_heatmap(fb, x="month", y="name", value="mean_rating", count="n_ratings",
                                             value_title="Mean rating (1-5)", domain=(1, 5)), width="stretch")
        ui.table(fb, key="feedback_monthly", height=200, column_config=ui.columns(
            month=ui.date_col("Month", "MMM YYYY"), model_id="Model id", name="Model", n_ratings="Ratings",
            mean_rating=st.column_config.NumberColumn("Mean rating", format="%.2f"),
            n_low_ratings="Ratings of 1-2"))
with right, ui.panel("What experts say"):
    com = data.cached(adoption.feedback_comments, scope=scope)
    if com.is_empty():
        ui.empty("No comments in this window.")
    else:
        ui.table(com, key="feedback_comments", height=420, column_config=ui.columns(
            submitted_at=ui.date_col("When"), model_id="Model id", name="Model",
            rating=st.column_config.NumberColumn("Rating", format="%d ★"), comment="Comment", team="Team",
            country="Country"))
