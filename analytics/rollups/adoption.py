"""Adoption's rollup and the follow-ups for value and experiments after a refresh.

``rollup_usage_user_activity`` condenses ``rollup_usage_user_week`` (hundreds of thousands of
user-weeks at scale) into one 63-bit mask of active weeks per model, user and block of 63 weeks,
so "tried in the window" and "active in 3 of the last 4 weeks" are a bitwise AND and a bit count
over a few thousand integers. The hook records the measured value of newly concluded winning
experiments in the value ledger (idempotent: an experiment is written once).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from analytics.rollups import Rollup

ROLLUPS = [
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
]


def record_experiment_value(root: Path) -> int:
    from analytics import experiments  # imported here: scipy/statsmodels are slow to import

    return experiments.record_measured_value(root)


POST_REFRESH = [record_experiment_value]
