"""Human adoption of models: who could use a model, who tried it, who uses it regularly.

Contract shared by the functions here (every one takes the ``Scope``):

* **Seats.** Counts are *model-user pairs* ("seats") from ``eligible_users`` (eligible on or before
  the window's end): a person eligible for two models is two seats, so the portfolio adoption rate
  is the eligible-weighted mean of the per-model rates and every count adds up across models,
  business units, teams and countries.
* **Tried / active** = the seat has an invocation (usage event ``invoke``) *dated* in the window,
  exactly: whole weeks from the weekly rollup, the days of partial edge weeks from the daily rollup.
* **Regular** = tried, and invoked in at least 3 of the 4 weeks up to the week containing the
  window's end, or the newest usage when the window runs past it (a quarter not over yet); the
  "tried" condition keeps the funnel nested for windows shorter than 4 weeks.
* **Adoption rate** = active seats / eligible seats. Filters: business unit via
  ``models.business_unit``; country and team via the eligible user's own country and team.
* The weekly chart puts a week in the window when its Monday is (``scope.INCLUSION_RULE``).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from analytics.errors import InputError
from analytics.product.scope import Scope

DIMENSIONS = ("model_id", "business_unit", "team", "country")
REGULAR_WEEKS, REGULAR_OF = 3, 4
LAGGARD_MIN_ELIGIBLE = 10
LAGGARD_RATIO = 0.5  # a team is lagging when its rate is below half the rate of everyone in scope


def _rate(active: int, eligible: int) -> float | None:
    return active / eligible if eligible else None


def adoption_cells(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """One row per model, business unit, team and country: n_eligible, n_tried, n_regular and
    n_invocations (additive counts of seats and their invocations)."""
    return scope.run(con, "adoption_cells")


@dataclass(frozen=True)
class AdoptionSummary:
    eligible_seats: int  # eligible model-user pairs
    active_seats: int  # of those, invoked the model in the window
    adoption_rate: float | None  # active / eligible; None when nobody is eligible
    prev_adoption_rate: float | None  # same for the previous window
    regular_seats: int = 0  # invoked in >= 3 of the last 4 weeks
    prev_eligible_seats: int = 0
    prev_active_seats: int = 0


def adoption_summary(con: duckdb.DuckDBPyConnection, scope: Scope) -> AdoptionSummary:
    """Portfolio adoption in the window and the previous window."""
    return summarize(adoption_cells(con, scope), adoption_cells(con, scope.previous))


def summarize(cells: pl.DataFrame, prev_cells: pl.DataFrame) -> AdoptionSummary:
    """The summary from ``adoption_cells`` for a window and for the window before it (pure)."""
    e, a, r = (int(cells[c].sum()) for c in ("n_eligible", "n_tried", "n_regular"))
    pe_, pa_ = int(prev_cells["n_eligible"].sum()), int(prev_cells["n_tried"].sum())
    return AdoptionSummary(e, a, _rate(a, e), _rate(pa_, pe_), r, pe_, pa_)


def adoption_by(con: duckdb.DuckDBPyConnection, scope: Scope, dimension: str) -> pl.DataFrame:
    """Adoption per ``dimension`` (one of DIMENSIONS): n_eligible, n_tried, n_regular, n_invocations,
    adoption_rate (= n_tried / n_eligible) and share_regular (= n_regular / n_eligible), sorted by
    adoption rate, lowest first."""
    if dimension not in DIMENSIONS:
        raise InputError(f"Cannot break adoption down by '{dimension}'; choose one of {', '.join(DIMENSIONS)}.")
    cells = adoption_cells(con, scope)
    out = cells.group_by(dimension).agg(pl.col("n_eligible", "n_tried", "n_regular", "n_invocations").sum())
    out = out.with_columns((pl.col("n_tried") / pl.col("n_eligible")).alias("adoption_rate"),
                           (pl.col("n_regular") / pl.col("n_eligible")).alias("share_regular"))
    if dimension == "model_id":
        out = scope.run(con, "model_names").join(out, on="model_id", how="inner")
    return out.sort(["adoption_rate", dimension])


def funnel(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Three stages (eligible, tried once, regular) with seat counts and share of eligible seats."""
    s = adoption_summary(con, scope)
    counts = [s.eligible_seats, s.active_seats, s.regular_seats]
    return pl.DataFrame({
        "stage": ["Eligible", "Tried once", f"Regular ({REGULAR_WEEKS} of last {REGULAR_OF} weeks)"],
        "n_seats": counts,
        "share_of_eligible": [c / s.eligible_seats if s.eligible_seats else None for c in counts],
    }, schema={"stage": pl.String, "n_seats": pl.Int64, "share_of_eligible": pl.Float64})


def laggard_teams(con: duckdb.DuckDBPyConnection, scope: Scope, *, min_eligible: int = LAGGARD_MIN_ELIGIBLE,
                  ratio: float = LAGGARD_RATIO) -> pl.DataFrame:
    """Teams with at least ``min_eligible`` eligible seats whose adoption rate is below ``ratio`` times
    the rate of everyone in scope; lowest first, with ``overall_rate`` for context."""
    teams = adoption_by(con, scope, "team")
    eligible = teams["n_eligible"].sum()
    overall = teams["n_tried"].sum() / eligible if eligible else 0.0
    return (teams.filter((pl.col("n_eligible") >= min_eligible) & (pl.col("adoption_rate") < ratio * overall))
            .with_columns(pl.lit(overall).alias("overall_rate")))


def usage_over_time(con: duckdb.DuckDBPyConnection, scope: Scope, *, model_ids=None) -> pl.DataFrame:
    """One row per week whose Monday is in the window: distinct active users, invocations and all
    interaction events (country = the country recorded on the usage event)."""
    return scope.run(con, "adoption_weekly", model_ids=list(model_ids) if model_ids else None)


def feedback_monthly(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Expert ratings per month and model: n_ratings, mean_rating (1-5), n_low_ratings (<= 2)."""
    return scope.run(con, "adoption_feedback_monthly")


def feedback_comments(con: duckdb.DuckDBPyConnection, scope: Scope) -> pl.DataFrame:
    """Rated comments in the window, newest first."""
    return scope.run(con, "adoption_feedback_comments")
