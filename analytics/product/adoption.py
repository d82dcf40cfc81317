"""Human adoption of models: who could use a model, who tried it, who uses it regularly.

Contract shared by the functions here:

* **Eligible** users come from ``eligible_users`` (eligible on or before ``end_date``). Counts are
  *model-user pairs* ("seats"): a person eligible for two models counts twice, so the portfolio
  adoption rate is the eligible-weighted mean of the per-model rates and every count adds up across
  models, business units, teams and countries.
* **Tried / active** = invoked the model (usage event ``invoke``) in a week whose Monday falls in
  ``[start_date, end_date]`` (read from the weekly usage rollup, never from raw events).
* **Regular** = tried, and invoked it in at least 3 of the 4 weeks up to the week containing
  ``end_date`` (the "tried" condition keeps the funnel nested for windows shorter than 4 weeks).
* **Adoption rate** = active / eligible. Filters: business unit via ``models.business_unit``;
  country and team via the eligible user's own country and team.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import polars as pl

from analytics import sql
from analytics.errors import InputError
from analytics.product.roi import previous_window

DIMENSIONS = ("model_id", "business_unit", "team", "country")
REGULAR_WEEKS, REGULAR_OF = 3, 4
LAGGARD_MIN_ELIGIBLE = 10
LAGGARD_RATIO = 0.5  # a team is lagging when its rate is below half the rate of everyone in scope


def _list(values) -> list[str] | None:
    return list(values) if values else None


def _check(start_date: date, end_date: date) -> None:
    if start_date > end_date:
        raise InputError(f"The start date {start_date} is after the end date {end_date}; "
                         "pick a start on or before the end.")


def _rate(active: int, eligible: int) -> float | None:
    return active / eligible if eligible else None


def adoption_cells(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                   business_units=None, countries=None) -> pl.DataFrame:
    """One row per model, business unit, team and country: n_eligible, n_tried, n_regular
    (additive counts of model-user pairs)."""
    _check(start_date, end_date)
    return sql.run(con, "adoption_cells", start_date=start_date, end_date=end_date,
                   business_units=_list(business_units), countries=_list(countries))


def invocations(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                business_units=None, countries=None) -> pl.DataFrame:
    """One row per cell of ``adoption_cells``: n_invocations by the cell's eligible seats in the window."""
    _check(start_date, end_date)
    return sql.run(con, "adoption_invocations", start_date=start_date, end_date=end_date,
                   business_units=_list(business_units), countries=_list(countries))


@dataclass(frozen=True)
class AdoptionSummary:
    eligible_users: int  # eligible model-user pairs
    active_users: int  # of those, invoked the model in the window
    adoption_rate: float | None  # active / eligible; None when nobody is eligible
    prev_adoption_rate: float | None  # same for the previous window of equal length
    regular_users: int = 0  # invoked in >= 3 of the last 4 weeks
    prev_eligible_users: int = 0
    prev_active_users: int = 0


def adoption_summary(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                     business_units=None, countries=None) -> AdoptionSummary:
    """Portfolio adoption in the window and the previous window of equal length."""
    cur = adoption_cells(con, start_date=start_date, end_date=end_date, business_units=business_units,
                         countries=countries)
    ps, pe = previous_window(start_date, end_date)
    prev = adoption_cells(con, start_date=ps, end_date=pe, business_units=business_units, countries=countries)
    return summarize(cur, prev)


def summarize(cells: pl.DataFrame, prev_cells: pl.DataFrame) -> AdoptionSummary:
    """The summary from ``adoption_cells`` for a window and for the window before it (pure)."""
    e, a, r = (int(cells[c].sum()) for c in ("n_eligible", "n_tried", "n_regular"))
    pe_, pa_ = int(prev_cells["n_eligible"].sum()), int(prev_cells["n_tried"].sum())
    return AdoptionSummary(e, a, _rate(a, e), _rate(pa_, pe_), r, pe_, pa_)


def adoption_by(con: duckdb.DuckDBPyConnection, *, dimension: str, start_date: date, end_date: date,
                business_units=None, countries=None) -> pl.DataFrame:
    """Adoption per ``dimension`` (one of DIMENSIONS): n_eligible, n_tried, n_regular, n_invocations,
    adoption_rate (= n_tried / n_eligible) and share_regular (= n_regular / n_eligible), sorted by
    adoption rate, lowest first."""
    if dimension not in DIMENSIONS:
        raise InputError(f"Cannot break adoption down by '{dimension}'; choose one of {', '.join(DIMENSIONS)}.")
    window = {"start_date": start_date, "end_date": end_date, "business_units": business_units,
              "countries": countries}
    cells = adoption_cells(con, **window).join(invocations(con, **window), on=list(DIMENSIONS), how="left",
                                               nulls_equal=True)
    out = cells.group_by(dimension).agg(pl.col("n_eligible", "n_tried", "n_regular", "n_invocations").sum())
    out = out.with_columns((pl.col("n_tried") / pl.col("n_eligible")).alias("adoption_rate"),
                           (pl.col("n_regular") / pl.col("n_eligible")).alias("share_regular"))
    if dimension == "model_id":
        names = sql.query(con, "select model_id, name, business_unit from models", name="model_names")
        out = names.join(out, on="model_id", how="inner")
    return out.sort(["adoption_rate", dimension])


def funnel(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date, business_units=None,
           countries=None) -> pl.DataFrame:
    """Three stages (eligible, tried once, regular) with counts and share of eligible."""
    s = adoption_summary(con, start_date=start_date, end_date=end_date, business_units=business_units,
                         countries=countries)
    counts = [s.eligible_users, s.active_users, s.regular_users]
    return pl.DataFrame({
        "stage": ["Eligible", "Tried once", f"Regular ({REGULAR_WEEKS} of last {REGULAR_OF} weeks)"],
        "n_users": counts,
        "share_of_eligible": [c / s.eligible_users if s.eligible_users else None for c in counts],
    }, schema={"stage": pl.String, "n_users": pl.Int64, "share_of_eligible": pl.Float64})


def laggard_teams(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date, business_units=None,
                  countries=None, min_eligible: int = LAGGARD_MIN_ELIGIBLE,
                  ratio: float = LAGGARD_RATIO) -> pl.DataFrame:
    """Teams with at least ``min_eligible`` eligible seats whose adoption rate is below ``ratio`` times
    the rate of everyone in scope; lowest first, with ``overall_rate`` for context."""
    teams = adoption_by(con, dimension="team", start_date=start_date, end_date=end_date,
                        business_units=business_units, countries=countries)
    eligible = teams["n_eligible"].sum()
    overall = teams["n_tried"].sum() / eligible if eligible else 0.0
    return (teams.filter((pl.col("n_eligible") >= min_eligible) & (pl.col("adoption_rate") < ratio * overall))
            .with_columns(pl.lit(overall).alias("overall_rate")))


def usage_over_time(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                    business_units=None, countries=None, model_ids=None) -> pl.DataFrame:
    """One row per week: distinct active users, invocations and all interaction events (country =
    the country recorded on the usage event)."""
    _check(start_date, end_date)
    return sql.run(con, "adoption_weekly", start_date=start_date, end_date=end_date,
                   business_units=_list(business_units), countries=_list(countries),
                   model_ids=_list(model_ids))


def feedback_monthly(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                     business_units=None, countries=None) -> pl.DataFrame:
    """Expert ratings per month and model: n_ratings, mean_rating (1-5), n_low_ratings (<= 2)."""
    _check(start_date, end_date)
    return sql.run(con, "adoption_feedback_monthly", start_date=start_date, end_date=end_date,
                   business_units=_list(business_units), countries=_list(countries))


def feedback_comments(con: duckdb.DuckDBPyConnection, *, start_date: date, end_date: date,
                      business_units=None, countries=None) -> pl.DataFrame:
    """Rated comments in the window, newest first."""
    _check(start_date, end_date)
    return sql.run(con, "adoption_feedback_comments", start_date=start_date, end_date=end_date,
                   business_units=_list(business_units), countries=_list(countries))
