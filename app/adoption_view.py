"""The Adoption page's pieces: the seat figures and the tables' column labels. The page makes the data
calls and places these."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.product import adoption
from app import fmt, ui
from app.components import kpi_metric

DIMENSIONS = {"model_id": "Model", "business_unit": "Business unit", "team": "Team", "country": "Country"}


def headline(s: adoption.AdoptionSummary) -> None:
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


def pick_dimension() -> str:
    return st.segmented_control("Break down by", list(DIMENSIONS), format_func=DIMENSIONS.get, default="model_id",
                                key="adoption_dim") or "model_id"


def funnel_table(fun: pl.DataFrame) -> None:
    ui.table(fun, key="adoption_funnel", column_config=ui.columns(
        stage="Stage", n_seats="Seats", share_of_eligible=ui.pct_col("Share of eligible")))


def by_table(by: pl.DataFrame, dim: str) -> None:
    ui.table(by, key=f"adoption_by_{dim}", column_config=ui.columns(
        # per model: the name speaks for the model, its id stays in the download
        **({dim: None, "name": "Model"} if dim == "model_id" else {dim: DIMENSIONS[dim], "name": "Name"}),
        business_unit="Business unit", n_eligible="Eligible",
        n_tried="Tried", n_regular="Regular", n_invocations="Invocations",
        adoption_rate=ui.pct_col("Adoption rate"), share_regular=ui.pct_col("Regular share")))


def laggards_table(lag: pl.DataFrame) -> None:
    ui.table(lag, key="laggard_teams", column_config=ui.columns(
        team="Team", n_eligible="Eligible", n_tried="Tried", n_regular="Regular",
        n_invocations="Invocations", adoption_rate=ui.pct_col("Adoption rate"),
        share_regular=ui.pct_col("Regular share"), overall_rate=ui.pct_col("Overall rate")))


def feedback_table(fb: pl.DataFrame) -> None:
    ui.table(fb, key="feedback_monthly", height=200, column_config=ui.columns(
        month=ui.date_col("Month", "MMM YYYY"), model_id=None, name="Model", n_ratings="Ratings",
        mean_rating=st.column_config.NumberColumn("Mean rating", format="%.2f"), n_low_ratings="Ratings of 1-2"))


def comments_table(com: pl.DataFrame) -> None:
    ui.table(com, key="feedback_comments", height=420, column_config=ui.columns(
        submitted_at=ui.date_col("When"), model_id=None, name="Model",
        rating=st.column_config.NumberColumn("Rating", format="%d ★"), comment="Comment", team="Team",
        country="Country"))
