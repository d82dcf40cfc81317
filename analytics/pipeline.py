"""`scaleboard refresh` in plain order: the rollups, then what reads them.

1. every declared rollup is brought up to date from new files only (``lakehouse.refresh``);
2. drift and performance are evaluated for the latest window and alerts raised once
   (``drift.alerts``), instead of on page loads;
3. the measured value of newly concluded winning experiments goes into the value ledger, once
   (``product.experiments``).
"""

from __future__ import annotations

from pathlib import Path

from analytics.drift import alerts as drift_alerts
from analytics.lakehouse import refresh as rollup_refresh
from analytics.lakehouse.refresh import RefreshReport


def refresh(root: Path | str, *, full: bool = False, only: list[str] | None = None) -> list[RefreshReport]:
    """Run the whole refresh; returns one report per rollup (steps 2 and 3 always run)."""
    root = Path(root)
    reports = rollup_refresh.refresh(root, full=full, only=only)
    drift_alerts.evaluate(root)
    # imported here: scipy and statsmodels take seconds to import, and only this step needs them
    from analytics.product import experiments

    experiments.record_measured_value(root)
    return reports
