"""Rollups behind the executive overview: prediction traffic and human usage."""

from __future__ import annotations

import pyarrow as pa

from analytics.rollups import Rollup

ROLLUPS = [
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
]
