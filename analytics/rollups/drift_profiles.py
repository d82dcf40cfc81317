"""Rollups behind the drift explorer and drift alerts.

* ``drift_profiles`` / ``drift_profiles_prediction``: daily mergeable histograms of every input
  feature and of the prediction score, on bins frozen per model version (``analytics.drift_profiles``).
* ``drift_performance``: labelled predictions per model, version, week and score bin (AUC, accuracy,
  F1, RMSE, MAE are computed from it by ``analytics.drift_performance``).

``POST_REFRESH`` evaluates drift and performance for the latest window and writes alerts once.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from analytics import drift_profiles
from analytics.rollups import Rollup


def _features(con: duckdb.DuckDBPyConnection, view: str, root: Path) -> pa.Table:
    return drift_profiles.compute_profiles(con, view, root, "features")


def _predictions(con: duckdb.DuckDBPyConnection, view: str, root: Path) -> pa.Table:
    return drift_profiles.compute_profiles(con, view, root, "predictions")


def _alerts(root: Path) -> int:
    from analytics import drift_alerts

    return drift_alerts.evaluate(root)


ROLLUPS = [
    Rollup(name="drift_profiles", source="features", schema=drift_profiles.PROFILE_SCHEMA, compute=_features,
           grain="one row per model, bins version, feature and day (per source part; merge by adding)"),
    Rollup(name="drift_profiles_prediction", source="predictions", schema=drift_profiles.PROFILE_SCHEMA,
           compute=_predictions,
           grain="one row per model, bins version and day for the pseudo-feature 'prediction' (the score)"),
    Rollup(name="drift_performance", source="outcomes", joins="predictions", sql_name="drift_performance_rows",
           grain="one row per model, version, week, label and score bin (per source part; merge by adding)",
           schema=pa.schema([
               ("model_id", pa.string()), ("version", pa.string()), ("week_start", pa.date32()),
               ("label", pa.float64()), ("score_bin", pa.int32()), ("n", pa.int64()),
               ("sum_abs_err", pa.float64()), ("sum_sq_err", pa.float64()),
               ("sum_label", pa.float64()), ("sum_label_sq", pa.float64()),
           ])),
]

POST_REFRESH = [_alerts]
