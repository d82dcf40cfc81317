"""`scaleboard refresh` in plain order: the rollups, then what reads them.

1. every declared rollup is brought up to date from new files only (``lakehouse.refresh``);
2. drift and performance are evaluated for the latest window and alerts raised once
   (``drift.alerts``), instead of on page loads;
3. the measured value of newly concluded winning experiments goes into the value ledger, once
   (``product.experiments``);
4. each new model version's inputs are ranked by how much its output depends on them
   (``drift.explain``), once per version, and the top inputs' partial dependence drawn
   (``drift.dependence``);
5. what changed in alerts and stewardship tasks is delivered to the channels of
   ``<lakehouse>/_config/alerting.yaml`` (``alerts.deliver``: never raises; a failed delivery is logged
   and retried on the next run; docs/alerts.md).

Steps 2 to 4 read only lakehouse data (no wall clock), so when nothing in the lakehouse changed
since they last ran they are skipped: a scheduled refresh with nothing new costs a directory walk.
Step 5 always runs (a failed delivery is retried, a snooze ends); the delivery log it writes does not
count as a change for steps 2 to 4.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analytics import alerts
from analytics.drift import alerts as drift_alerts
from analytics.drift import dependence as drift_dependence
from analytics.drift import explain as drift_explain
from analytics.lakehouse import connection, storage
from analytics.lakehouse import refresh as rollup_refresh
from analytics.lakehouse.objectstore import ObjectPath, locate
from analytics.lakehouse.refresh import RefreshReport

STATE_FILE = "_pipeline_state.json"  # under _rollups/: the lakehouse version steps 2-4 last saw


@dataclass(frozen=True)
class PipelineReport:
    rollups: list[RefreshReport]
    evaluated: bool  # False: nothing changed since the last evaluation, steps 2-4 skipped


def refresh(root: Path | str, *, full: bool = False, only: list[str] | None = None,
            engine: str = "duckdb", master: str | None = None) -> PipelineReport:
    """Run the whole refresh (see the module docstring). ``engine="spark"`` computes the rollups
    with Spark (``master``: a Spark master URL; default local[*], or spark-submit's); the steps
    after them read the rollups through DuckDB either way."""
    root = locate(root)
    if engine == "spark":
        # imported here: only a Spark refresh pays for pyspark and the JVM
        from analytics.lakehouse import spark_engine

        with spark_engine.SparkEngine(master) as spark:
            reports = rollup_refresh.refresh(root, full=full, only=only, compute=spark.compute)
    elif engine == "duckdb":
        reports = rollup_refresh.refresh(root, full=full, only=only)
    else:
        raise ValueError(f"unknown engine {engine!r}: duckdb or spark")
    state = root / storage.ROLLUPS_DIR / STATE_FILE
    seen = json.loads(state.read_text()).get("version") if state.exists() else None
    if not full and seen == _inputs_version(root):
        alerts.deliver(root)
        _save_state(root, state)  # only the delivery log may have changed: no reason to evaluate again
        return PipelineReport(reports, evaluated=False)
    drift_alerts.evaluate(root)
    # imported here: scipy and statsmodels take seconds to import, and only this step needs them
    from analytics.product import experiments

    experiments.record_measured_value(root)
    con = connection.connect(root)
    try:
        drift_explain.compute_new(con, root)
    finally:
        con.close()
    con = connection.connect(root)  # a new connection sees the importance just written
    try:
        drift_dependence.compute_new(con, root)
    finally:
        con.close()
    alerts.deliver(root)
    _save_state(root, state)
    return PipelineReport(reports, evaluated=True)


def _save_state(root: Path, state: Path) -> None:
    if isinstance(state, ObjectPath):  # one put replaces the object whole
        state.write_text(json.dumps({"version": _inputs_version(root)}))
        return
    tmp = state.with_suffix(".json.tmp")
    state.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps({"version": _inputs_version(root)}))
    tmp.replace(state)


def _inputs_version(root: Path) -> str:
    """The lakehouse version without the pipeline's own state file (it changes on every run)."""
    return storage.lakehouse_version(root, exclude=(storage.ROLLUPS_DIR + "/" + STATE_FILE,))
