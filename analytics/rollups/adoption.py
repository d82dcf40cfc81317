"""Follow-ups for adoption, value and experiments after a refresh.

No extra rollups are needed: adoption reads the lead's ``rollup_usage_user_week`` and
``rollup_predictions_daily``. The hook records the measured value of newly concluded winning
experiments in the value ledger (idempotent: an experiment is written once).
"""

from __future__ import annotations

from pathlib import Path


def record_experiment_value(root: Path) -> int:
    from analytics import experiments  # imported here: scipy/statsmodels are slow to import

    return experiments.record_measured_value(root)


POST_REFRESH = [record_experiment_value]
