"""Adoption: eligible users, who tried each model, who uses it regularly, lagging teams, feedback."""

import streamlit as st

from analytics.lakehouse import refresh
from analytics.product import adoption
from app import adoption_view as view
from app import charts, data, filters, ui

scope = filters.current()
st.title("Adoption")
st.caption("Human adoption, not traffic, counted in seats: a seat is a model and a user eligible for it; it "
           "is active when the user invoked the model on a day in the window. Country and team are the "
           "user's own.")

with ui.panel():
    view.headline(data.cached(adoption.adoption_summary, scope=scope))

left, right = st.columns(2)
with left, ui.panel("Funnel"):
    fun = data.cached(adoption.funnel, scope=scope)
    ui.chart(charts.hbar, fun, x="n_seats", y="stage", x_title="Seats", x_format=",.0f",
             color_by_sign=False, sort=None)
    view.funnel_table(fun)
with right, ui.panel("Active users and invocations per week"):
    st.caption("People, not seats: distinct users per week whose Monday is in the window.")
    weekly = data.cached(adoption.usage_over_time, scope=scope)
    if weekly.is_empty() and not refresh.has_run(data.root(), "rollup_usage_user_week"):
        ui.empty("No usage yet: usage comes from the weekly usage rollup, which has not been built. Run "
                 "`scaleboard refresh`.")
    elif weekly.is_empty():
        ui.empty("No usage in this window for this selection: pick a longer period or fewer filters.")
    else:
        ui.chart(charts.over_time, weekly, x="week_start", y="n_active_users", y_title="Active users",
                 height=180)
        ui.chart(charts.over_time, weekly, x="week_start", y="n_invocations", y_title="Invocations",
                 y_format="~s", height=180)

with ui.panel("Adoption by"):
    dim = view.pick_dimension()
    by = data.cached(adoption.adoption_by, dimension=dim, scope=scope)
    if by.is_empty():
        ui.empty("Nobody is eligible for a model in this selection.")
    else:
        view.by_table(by, dim)

with ui.panel("Teams lagging behind"):
    lag = data.cached(adoption.laggard_teams, scope=scope)
    st.caption(f"Teams with at least {adoption.LAGGARD_MIN_ELIGIBLE} eligible seats whose adoption rate is "
               f"below half of the rate across the selection.")
    teams = data.cached(adoption.adoption_by, dimension="team", scope=scope)
    if lag.is_empty() and not teams["n_eligible"].sum():
        ui.empty("Nobody is eligible for a model in this selection, so no team can be judged.")
    elif lag.is_empty() and not (teams["n_eligible"] >= adoption.LAGGARD_MIN_ELIGIBLE).any():
        ui.empty(f"No team has {adoption.LAGGARD_MIN_ELIGIBLE} eligible seats or more in this selection: too "
                 "few to judge.")
    elif lag.is_empty():
        ui.empty("No team is lagging: every team is at least at half of the overall adoption rate.")
    else:
        view.laggards_table(lag)

left, right = st.columns(2)
with left, ui.panel("Expert ratings over time"):
    fb = data.cached(adoption.feedback_monthly, scope=scope)
    if fb.is_empty():
        ui.empty("No expert ratings in this window.")
    else:
        ui.chart(charts.month_heatmap, fb, x="month", y="name", value="mean_rating", count="n_ratings",
                 value_title="Mean rating (1-5)", domain=(1, 5))
        view.feedback_table(fb)
with right, ui.panel("What experts say"):
    com = data.cached(adoption.feedback_comments, scope=scope)
    if com.is_empty():
        ui.empty("No comments in this window.")
    else:
        view.comments_table(com)
