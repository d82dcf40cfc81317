"""Tiny per-model rollups behind the readiness evidence: which models have feature logs (drift
monitoring) and outcome logs (performance monitoring), so the checklist never scans raw logs."""

from __future__ import annotations

import pyarrow as pa

from analytics.rollups import Rollup
from analytics.schema import TS

ROLLUPS = [
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
]
