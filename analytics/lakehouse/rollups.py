"""Every rollup, declared once, in the order a refresh builds them (rollups over rollups last, so
they see their source's new parts in the same refresh).

A rollup turns newly arrived files of one source table into a small Parquet part under
``<root>/_rollups/<name>/``. Parts are *mergeable* (counts, sums, sums of squares, min/max,
histogram counts), so a query re-aggregates over all parts and never needs the raw rows again.
``analytics.lakehouse.refresh`` keeps them up to date; pages read only these.

* prediction traffic and human usage (the overview, adoption);
* which models have feature and outcome logs (readiness evidence);
* drift profiles on frozen bins and labelled predictions per score bin (the drift explorer, alerts);
* the same per team and country (the explorer's worst segments);
* the 63-bit activity mask per model and user (adoption windows as a bitwise AND).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from analytics.drift import profiles as drift_profiles
from analytics.drift import segments as drift_segments
from analytics.lakehouse.schema import TS

Compute = Callable[[duckdb.DuckDBPyConnection, str, Path], pa.Table | pl.DataFrame]


@dataclass(frozen=True)
class Rollup:
    """A derived table kept up to date from one source table.

    Exactly one of ``sql_name`` (a query reading the view ``src``) or ``compute`` (a function of
    connection, source view name and lakehouse root) produces the part for the new files.

    With ``from_rollup`` the source is another rollup, and the rollup is recomputed whole, as one
    compact part, whenever that rollup's parts change: for condensed shapes that cannot be merged
    part by part (masks per user), read without any re-aggregation.

    With ``joins`` (another table) the rollup is a join of the two, kept incremental on both sides:
    the query also sees ``src_seen`` (source files already rolled up), ``joined`` (every file of the
    joined table) and ``joined_new`` (its new files), and adds ``src ⋈ joined`` and
    ``src_seen ⋈ joined_new``, so rows of either side that arrive late still meet their partner, once.
    """

    name: str
    source: str
    schema: pa.Schema
    grain: str
    sql_name: str | None = None
    compute: Compute | None = None
    from_rollup: bool = False
    joins: str | None = None



def _feature_profiles(con: duckdb.DuckDBPyConnection, view: str, root: Path) -> pa.Table:
    return drift_profiles.compute_profiles(con, view, root, "features")


def _prediction_profiles(con: duckdb.DuckDBPyConnection, view: str, root: Path) -> pa.Table:
    return drift_profiles.compute_profiles(con, view, root, "predictions")


ROLLUPS: tuple[Rollup, ...] = (
    # prediction traffic and human usage (the overview, adoption)
    Rollup(
        name="rollup_predictions_daily",
        source="predictions",
        sql_name="rollup_predictions_daily",
        grain="one row per model, version, day, team and country (per source part; re-aggregate with sum)",
        schema=pa.schema([
            ("model_id", pa.string()), ("version", pa.string()), ("day", pa.date32()),
            ("team", pa.string()), ("country", pa.string()), ("n_predictions", pa.int64()),
            ("sum_score", pa.float64()), ("sum_latency_ms", pa.float64()),
            ("max_latency_ms", pa.float64()),
        ]),
    ),
    Rollup(
        name="rollup_usage_user_week",
        source="usage_events",
        sql_name="rollup_usage_user_week",
        grain="one row per model, ISO week (monday), user, team and country (per part; re-aggregate with sum)",
        schema=pa.schema([
            ("model_id", pa.string()), ("week_start", pa.date32()), ("user_id", pa.string()),
            ("team", pa.string()), ("country", pa.string()), ("n_events", pa.int64()),
            ("n_invocations", pa.int64()),
        ]),
    ),
    Rollup(
        name="rollup_usage_user_day",
        source="usage_events",
        sql_name="rollup_usage_user_day",
        grain="one row per model, day and user with invocations (per part; re-aggregate with sum): "
              "the exact edges of adoption windows that do not start on a Monday or end on a Sunday",
        schema=pa.schema([
            ("model_id", pa.string()), ("day", pa.date32()), ("user_id", pa.string()),
            ("n_invocations", pa.int64()),
        ]),
    ),
    # which models have feature logs and outcome logs (readiness evidence)
    Rollup(
        name="rollup_feature_models",
        source="features",
        sql_name="rollup_feature_models",
        grain="one row per model and version per source part (re-aggregate with sum/max)",
        schema=pa.schema([("model_id", pa.string()), ("version", pa.string()), ("n_rows", pa.int64()),
                          ("last_at", TS)]),
    ),
    Rollup(
        name="rollup_outcome_models",
        source="outcomes",
        sql_name="rollup_outcome_models",
        grain="one row per model per source part (re-aggregate with sum/max)",
        schema=pa.schema([("model_id", pa.string()), ("n_rows", pa.int64()), ("last_at", TS)]),
    ),
    # drift profiles on frozen bins and labelled predictions per score bin (drift explorer, alerts)
    Rollup(name="drift_profiles", source="features", schema=drift_profiles.PROFILE_SCHEMA, compute=_feature_profiles,
           grain="one row per model, bins version, feature and day (per source part; merge by adding)"),
    Rollup(name="drift_profiles_prediction", source="predictions", schema=drift_profiles.PROFILE_SCHEMA,
           compute=_prediction_profiles,
           grain="one row per model, bins version and day for the pseudo-feature 'prediction' (the score)"),
    Rollup(name="drift_performance", source="outcomes", joins="predictions", sql_name="drift_performance_rows",
           grain="one row per model, version, week, label and score bin (per source part; merge by adding)",
           schema=pa.schema([
               ("model_id", pa.string()), ("version", pa.string()), ("week_start", pa.date32()),
               ("label", pa.float64()), ("score_bin", pa.int32()), ("n", pa.int64()),
               ("sum_abs_err", pa.float64()), ("sum_sq_err", pa.float64()),
               ("sum_label", pa.float64()), ("sum_label_sq", pa.float64()),
           ])),
    # every scored request's score in 1/1000 bins per week (label-free performance estimation)
    Rollup(
        name="rollup_score_weekly",
        source="predictions",
        sql_name="rollup_score_weekly",
        grain="one row per model, version, week and score bin (1/1000) per source part (re-aggregate with sum)",
        schema=pa.schema([("model_id", pa.string()), ("version", pa.string()), ("week_start", pa.date32()),
                          ("score_bin", pa.int32()), ("n", pa.int64())]),
    ),
    # performance and score profiles per team and country (the explorer's worst segments); the score
    # profiles need the bins frozen by drift_profiles_prediction above
    Rollup(name="drift_segment_performance", source="outcomes", joins="predictions",
           sql_name="segment_performance_rows",
           grain="one row per model, version, week, segment kind (team, country), segment, label and score "
                 "bin (per source part; merge by adding)",
           schema=pa.schema([
               ("model_id", pa.string()), ("version", pa.string()), ("week_start", pa.date32()),
               ("segment_kind", pa.string()), ("segment", pa.string()), ("label", pa.float64()),
               ("score_bin", pa.int32()), ("n", pa.int64()), ("sum_abs_err", pa.float64()),
           ])),
    Rollup(name="drift_segment_profiles", source="predictions", schema=drift_segments.PROFILE_SCHEMA,
           compute=drift_segments.compute_profiles,
           grain="one row per model, bins version, day, segment kind (team, country) and segment: the score's "
                 "profile (per source part; merge by adding)"),
    # condensed from a rollup: built last, so it sees its source's new parts in the same refresh
    Rollup(
        name="rollup_usage_user_activity",
        source="rollup_usage_user_week",
        from_rollup=True,
        sql_name="rollup_usage_user_activity",
        grain="one row per model, user and block of 63 weeks (numbered from 1970-01-05) with a bit "
              "per week the user invoked the model (one compact part, rebuilt when the weekly "
              "rollup changes)",
        schema=pa.schema([
            ("model_id", pa.string()), ("user_id", pa.string()), ("block", pa.int32()),
            ("active_weeks", pa.int64()),
        ]),
    ),
)
BY_NAME = {r.name: r for r in ROLLUPS}
