"""Performance and drift by segment: which teams or countries a model serves worst.

Two rollups keep what this needs, so a page never reads raw logs:

* ``drift_segment_performance``: labelled predictions per model, version, week of prediction, segment
  kind (``team``, ``country``: the columns of ``predictions``), segment, label and 1/1000 score bin
  (the error sums for regressors), joined like ``drift_performance``;
* ``drift_segment_profiles``: the daily profile of the score per segment on the version's frozen
  ``prediction`` bins, the same profile the drift table merges (``profiles.profile``).

``segments`` then gives, per segment of the current window: the realised metric (AUC for classifiers,
ties within a 1/1000 bin counting one half; mean absolute error for regressors) with its count and
its drop from the model's overall figure on the same rows, and the PSI of the segment's scores in
the current window against the segment's scores in the reference window, computed by the engine
(``profiles.compare_merged``). Below ``policy.MIN_SEGMENT_LABELLED`` labels a segment gets no metric
verdict and below the drift table's minimum sizes no drift verdict: it says "too few rows".
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.drift import profiles as drift_profiles
from analytics.drift.performance import auc_from_bins
from analytics.drift.policy import (
    MIN_CUR_ROWS,
    MIN_REF_ROWS,
    MIN_SEGMENT_LABELLED,
    SEGMENT_AUC_DROP,
    SEGMENT_MAE_RATIO,
    too_small,
)
from analytics.lakehouse import storage, views
from analytics.lakehouse.objectstore import locate, register

SEGMENT_KINDS = {"team": "Team", "country": "Country"}
PROFILES_ROLLUP = "drift_segment_profiles"
PROFILE_SCHEMA = pa.schema([*drift_profiles.PROFILE_SCHEMA, pa.field("segment_kind", pa.string()),
                            pa.field("segment", pa.string())])
METRIC_OF_TASK = {"classification": "auc", "regression": "mae"}


# ---------------------------------------------------------------- rollup step

def _profiled_versions(root: Path) -> set[tuple[str, str]]:
    """(model, version) pairs the segment profiles already hold (from the parts readers read)."""
    folder = locate(root) / storage.ROLLUPS_DIR / PROFILES_ROLLUP
    try:
        parts = json.loads((folder / "_manifest.json").read_text())["parts"]
    except FileNotFoundError:
        return set()
    con = duckdb.connect()
    register(con, folder)  # an object store's files are read through its filesystem
    try:
        files = [str(folder / p) for p in parts if (folder / p).exists()]
        if not files:
            return set()
        return set(con.sql("select distinct model_id, version from read_parquet($f)", params={"f": files}).fetchall())
    finally:
        con.close()


def compute_profiles(con: duckdb.DuckDBPyConnection, view: str, root: Path) -> pa.Table:
    """Rollup step: profile the score per segment on each version's frozen ``prediction`` bins, over the
    new files (view ``src``), and over all files for a version these profiles do not hold yet (its bins
    were frozen after its first predictions were rolled up)."""
    bins = [b for k, b in drift_profiles.load_bins(locate(root)).items() if k[0] == "predictions"]
    done = _profiled_versions(root)
    full = None
    parts = []
    try:
        for model_id in sorted({b.model_id for b in bins}):
            new_vals = all_vals = None
            for b in (b for b in bins if b.model_id == model_id):
                if (b.model_id, b.version) not in done:
                    if full is None:
                        full = views.new_connection()
                        views.register_table(full, locate(root), "predictions", view="src")
                    if all_vals is None:
                        all_vals = sql.run(full, "segment_values_predictions", model_id=model_id)
                    vals = all_vals
                else:
                    if new_vals is None:
                        new_vals = sql.run(con, "segment_values_predictions", model_id=model_id)
                    vals = new_vals
                if vals.height:  # every segment in one pass: the segment is part of the profile's key
                    parts.append(drift_profiles.profile(vals, b, keys=("segment_kind", "segment", "day")))
    finally:
        if full is not None:
            full.close()
    if not parts:
        return PROFILE_SCHEMA.empty_table()
    return pl.concat(parts, how="diagonal_relaxed").select(PROFILE_SCHEMA.names).to_arrow().cast(PROFILE_SCHEMA)


# ---------------------------------------------------------------- per segment, for a window

def metric_of(rows: pl.DataFrame, task: str) -> tuple[float | None, int]:
    """(AUC or mean absolute error, labelled count) of ``drift_segment_performance`` rows."""
    n = int(rows["n"].sum()) if rows.height else 0
    if n == 0:
        return None, 0
    if task == "regression":
        return float(rows["sum_abs_err"].sum() / n), n
    pos, neg = np.zeros(1001), np.zeros(1001)
    cls = rows.filter(pl.col("score_bin").is_not_null())
    for lab, arr in ((1.0, pos), (0.0, neg)):
        sub = cls.filter(pl.col("label") == lab)
        np.add.at(arr, sub["score_bin"].to_numpy(), sub["n"].to_numpy())
    auc, _ = auc_from_bins(pos, neg)
    return (auc if np.isfinite(auc) else None), n


def _verdict(metric: str, value: float | None, n: int, drop: float | None, overall: float | None) -> str:
    name = "AUC" if metric == "auc" else "mean absolute error"
    if n < MIN_SEGMENT_LABELLED:
        return f"too few rows ({n:,} labelled; a verdict needs {MIN_SEGMENT_LABELLED:,})"
    if value is None:
        return "only one outcome among its labels: no AUC"
    if drop is None or overall is None:
        return "no overall figure to compare with"
    if metric == "auc":
        worse = drop >= SEGMENT_AUC_DROP
        return f"AUC {drop:.3f} below the model's" if worse else "in line with the model"
    worse = value >= SEGMENT_MAE_RATIO * overall
    return f"{name} {value / overall:.1f} times the model's" if worse else "in line with the model"


def _shift(psi_row: dict | None) -> tuple[float | None, str]:
    if psi_row is None:
        return None, "no scores in one of the windows"
    if too_small(psi_row["n_ref"], psi_row["n_cur"]):
        return psi_row["psi"], (f"too few rows ({psi_row['n_ref']:,} in the reference, {psi_row['n_cur']:,} now; "
                                f"a verdict needs {MIN_REF_ROWS:,} and {MIN_CUR_ROWS:,})")
    return psi_row["psi"], {"ok": "stable", "warning": "moving", "drift": "shifted"}.get(psi_row["psi_status"],
                                                                                        "unknown")


def segments(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str, ref_start: date,
             ref_end: date, cur_start: date, cur_end: date, scope=None) -> pl.DataFrame:
    """One row per segment (kind team or country) of ``model_id`` with labelled or scored rows in the
    current window: model_id, segment_kind, segment, metric (``auc`` or ``mae``), value, n_labelled,
    overall (the model's figure on the same window), drop (how much worse than overall: overall - AUC,
    or MAE - overall; null below the minimum count), verdict (in words), psi (scores vs the segment's
    reference), shift (stable / moving / shifted / too few rows), n_ref, n_cur; worst first. Empty for a
    model outside ``scope``'s business units."""
    units = list(scope.units) if scope is not None and scope.units is not None else None
    task = sql.run(con, "drift_model_task", model_id=model_id)
    metric = METRIC_OF_TASK[task["task"][0] if task.height else "classification"]
    perf = sql.run(con, "segment_performance_window", model_id=model_id, units=units, start_date=cur_start,
                   end_date=cur_end)
    prof = {w: {(r["segment_kind"], r["segment"]): r for r in
                sql.run(con, "segment_profile_window", model_id=model_id, version=version, units=units,
                        start_date=s, end_date=e).iter_rows(named=True)}
            for w, s, e in (("ref", ref_start, ref_end), ("cur", cur_start, cur_end))}
    b = drift_profiles.load_bins(locate(root)).get(("predictions", model_id, version, "prediction"))
    task_name = "regression" if metric == "mae" else "classification"
    rows = []
    for kind in SEGMENT_KINDS:
        mine = perf.filter(pl.col("segment_kind") == kind)
        overall, _ = metric_of(mine, task_name)
        keys = set(mine["segment"].to_list()) | {s for k, s in prof["cur"] if k == kind}
        for segment in sorted(keys):
            value, n = metric_of(mine.filter(pl.col("segment") == segment), task_name)
            judged = n >= MIN_SEGMENT_LABELLED and value is not None and overall is not None
            drop = (overall - value if metric == "auc" else value - overall) if judged else None
            psi_row = None
            r, c = prof["ref"].get((kind, segment)), prof["cur"].get((kind, segment))
            if b is not None and r is not None and c is not None:
                psi_row = drift_profiles.compare_merged("prediction", drift_profiles.merged(r),
                                                        drift_profiles.merged(c), b)
            psi, shift = _shift(psi_row)
            rows.append({"model_id": model_id, "segment_kind": kind, "segment": segment, "metric": metric,
                         "value": value if n else None, "n_labelled": n, "overall": overall, "drop": drop,
                         "verdict": _verdict(metric, value, n, drop, overall), "psi": psi, "shift": shift,
                         "n_ref": int(r["n"]) if r else 0, "n_cur": int(c["n"]) if c else 0})
    if not rows:
        return pl.DataFrame()
    return pl.DataFrame(rows, infer_schema_length=None).sort("drop", descending=True, nulls_last=True)


def worst(table: pl.DataFrame, k: int = 5) -> pl.DataFrame:
    """The ``k`` judged segments furthest below the model's overall figure (those with a drop > 0)."""
    if table.is_empty():
        return table
    return table.filter(pl.col("drop") > 0).sort("drop", descending=True).head(k)
