"""What the drift explorer and the drift alerts ask: drift of a model version between two
windows from profiles (fast), its history per week, distributions for the overlay, and exact
comparisons on raw rows on demand.

Functions take a DuckDB connection (or cursor) first, then plain values; ``root`` is the lakehouse
folder (the frozen bins live there). Windows are inclusive day ranges (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from analytics import sql
from analytics.drift import compare as drift
from analytics.drift import profiles as drift_profiles
from analytics.drift.policy import too_small
from analytics.drift.profiles import Bins, compare_merged, merged
from analytics.errors import InputError, NoDataError

CURRENT_DAYS = 30
MAX_EXACT_ROWS = 200_000


@dataclass(frozen=True)
class Windows:
    ref_start: date
    ref_end: date
    cur_start: date
    cur_end: date

    def __post_init__(self) -> None:
        if self.ref_start > self.ref_end or self.cur_start > self.cur_end:
            raise InputError("A window ends before it starts; pick a start date on or before the end date.")


def model_versions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per model version with its reference window and the last day with data."""
    return sql.run(con, "drift_model_versions")


def default_windows(con: duckdb.DuckDBPyConnection, root: str, model_id: str, version: str) -> Windows:
    """Reference = the window the version's bins were frozen from (its training window);
    current = the last 30 days with profiles."""
    ref = drift_profiles.reference_window(Path(root), model_id, version)
    last = sql.run(con, "drift_last_day", m=model_id, v=version)["d"][0]
    if ref is None or last is None:
        raise NoDataError(f"No drift profiles for {model_id} version {version} yet; run `scaleboard refresh`.")
    return Windows(ref[0], ref[1], last - timedelta(days=CURRENT_DAYS - 1), last)


def _bins(root: str, model_id: str, version: str) -> dict[str, Bins]:
    return {k[3]: b for k, b in drift_profiles.load_bins(Path(root)).items()
            if k[1] == model_id and k[2] == version}


def _window(con, model_id: str, version: str, start: date, end: date) -> dict[str, dict]:
    rows = sql.run(con, "drift_profile_window", model_id=model_id, version=version, start_date=start,
                   end_date=end)
    return {r["feature"]: r for r in rows.iter_rows(named=True)}


def drift_table(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str,
                ref_start: date, ref_end: date, cur_start: date, cur_end: date) -> pl.DataFrame:
    """Drift of every feature and the prediction from profiles (one row per feature, most severe
    first): ``drift.RESULT_SCHEMA`` columns plus ``bound`` (the exact normed Wasserstein distance lies
    in [statistic, statistic + bound]), ``psi`` and ``psi_status``."""
    w = Windows(ref_start, ref_end, cur_start, cur_end)
    bins = _bins(root, model_id, version)
    if not bins:
        raise NoDataError(f"No frozen bins for {model_id} version {version}; run `scaleboard refresh`.")
    ref = _window(con, model_id, version, w.ref_start, w.ref_end)
    cur = _window(con, model_id, version, w.cur_start, w.cur_end)
    if not ref:
        raise NoDataError("The reference window has no data for this model version; pick another window.")
    if not cur:
        raise NoDataError("The current window has no data for this model version; pick another window.")
    rows = []
    for feature, b in sorted(bins.items()):
        if feature in ref and feature in cur:
            rows.append(compare_merged(feature, merged(ref[feature]), merged(cur[feature]), b))
    for r in rows:
        why = too_small(r["n_ref"], r["n_cur"], r["statistic"])
        if why:
            r["note"] = f"{why}; not alerted. {r['note'] or ''}".strip()
    out = pl.DataFrame(rows, infer_schema_length=None)
    order = {"drift": 0, "warning": 1, "ok": 2}
    return out.with_columns(pl.col("status").replace_strict(order).alias("_o")).sort(
        ["_o", "statistic"], descending=[False, True], nulls_last=True).drop("_o")


def drift_history(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str,
                  ref_start: date, ref_end: date, start: date, end: date,
                  feature: str | None = None) -> pl.DataFrame:
    """Statistic and status per feature and week (monday) against the reference window."""
    bins = _bins(root, model_id, version)
    ref = _window(con, model_id, version, ref_start, ref_end)
    weekly = sql.run(con, "drift_profile_weekly", model_id=model_id, version=version, start_date=start,
                     end_date=end, feature=feature)
    rows = []
    for r in weekly.iter_rows(named=True):
        f = r["feature"]
        if f in bins and f in ref:
            res = compare_merged(f, merged(ref[f]), merged(r), bins[f])
            rows.append({"feature": f, "week_start": r["week_start"], "method": res["method"],
                         "statistic": res["statistic"], "status": res["status"], "psi": res["psi"],
                         "n": res["n_cur"]})
    return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame(
        schema={"feature": pl.String, "week_start": pl.Date, "method": pl.String, "statistic": pl.Float64,
                "status": pl.String, "psi": pl.Float64, "n": pl.Int64})


def drift_since(history: pl.DataFrame, feature: str) -> date | None:
    """First week of the latest unbroken run of drifted weeks (None when the last week is not drifted)."""
    h = history.filter(pl.col("feature") == feature).sort("week_start")
    since = None
    for week, status in zip(h["week_start"], h["status"], strict=True):
        since = (since or week) if status == "drift" else None
    return since


def distribution(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str, feature: str,
                 ref_start: date, ref_end: date, cur_start: date, cur_end: date) -> pl.DataFrame:
    """Share per bin in the reference and current windows (long: bin, label, lower, upper, window, share)."""
    b = _bins(root, model_id, version).get(feature)
    if b is None:
        raise InputError(f"Unknown feature '{feature}' for {model_id} version {version}.")
    out = []
    for name, (s, e) in (("reference", (ref_start, ref_end)), ("current", (cur_start, cur_end))):
        m = _window(con, model_id, version, s, e).get(feature)
        if m is None:
            continue
        mm = merged(m)
        shares = mm.counts / mm.counts.sum() if mm.counts.sum() else mm.counts
        if b.kind == "numeric":
            lo = np.concatenate([[mm.min_value if mm.min_value is not None else np.nan], b.edges])
            hi = np.concatenate([b.edges, [mm.max_value if mm.max_value is not None else np.nan]])
            labels = [f"{a:.3g} – {z:.3g}" for a, z in zip(lo, hi, strict=True)]
        else:
            lo = hi = np.full(shares.size, np.nan)
            labels = [*b.categories, "other"]
        out.append(pl.DataFrame({"bin": np.arange(shares.size), "label": labels, "lower": lo, "upper": hi,
                                 "window": name, "share": shares}))
    if not out:
        raise NoDataError(f"No data for '{feature}' in either window.")
    return pl.concat(out)


def raw_frames(con: duckdb.DuckDBPyConnection, *, model_id: str, ref_start: date, ref_end: date,
               cur_start: date, cur_end: date, max_rows: int = MAX_EXACT_ROWS, seed: int = 0,
               ) -> tuple[pl.DataFrame, pl.DataFrame, list[str], list[str]]:
    """Reference and current raw rows, one row per request and one column per feature plus the
    prediction score (sampled to ``max_rows`` requests per window, seeded). Reads raw logs: on demand
    only. Returns (reference, current, numeric columns, categorical columns)."""
    frames = []
    for s, e in ((ref_start, ref_end), (cur_start, cur_end)):
        long = sql.run(con, "drift_raw_rows", model_id=model_id, start_date=s, end_date=e, max_rows=max_rows,
                       seed=seed)
        frames.append(long)
    if any(f.height == 0 for f in frames):
        raise NoDataError("One of the windows has no logged features for this model; pick another window.")
    kinds = pl.concat(frames).group_by("feature").agg(num=pl.col("value_num").count(), cat=pl.col("value_cat").count())
    numeric = sorted(kinds.filter(pl.col("num") >= pl.col("cat"))["feature"].to_list())
    categorical = sorted(kinds.filter(pl.col("num") < pl.col("cat"))["feature"].to_list())
    wide = []
    for long in frames:
        v = long.with_columns(value=pl.when(pl.col("feature").is_in(numeric)).then(pl.col("value_num").cast(pl.String))
                              .otherwise(pl.col("value_cat")))
        w = v.pivot(on="feature", index="request_id", values="value", aggregate_function="first")
        for c in numeric + categorical:
            if c not in w.columns:
                w = w.with_columns(pl.lit(None, pl.String).alias(c))
        wide.append(w.with_columns(pl.col(numeric).cast(pl.Float64)).select(numeric + categorical))
    return wide[0], wide[1], numeric, categorical


def exact_table(con: duckdb.DuckDBPyConnection, *, model_id: str, ref_start: date, ref_end: date,
                cur_start: date, cur_end: date, method: str = "auto") -> pl.DataFrame:
    """Exact drift on raw rows (sampled to ``MAX_EXACT_ROWS`` requests per window) with ``drift.compare``."""
    ref, cur, _numeric, categorical = raw_frames(con, model_id=model_id, ref_start=ref_start, ref_end=ref_end,
                                                 cur_start=cur_start, cur_end=cur_end)
    return drift.compare(ref, cur, categorical=categorical, method=method)


def evidently_html(con: duckdb.DuckDBPyConnection, *, model_id: str, ref_start: date, ref_end: date,
                   cur_start: date, cur_end: date) -> str:
    """Evidently's full data drift report for the same windows, on seeded samples of the raw rows."""
    from analytics.drift import report as drift_evidently

    ref, cur, numeric, categorical = raw_frames(con, model_id=model_id, ref_start=ref_start, ref_end=ref_end,
                                                cur_start=cur_start, cur_end=cur_end,
                                                max_rows=drift_evidently.SAMPLE_ROWS)
    keep = [c for c in numeric + categorical if ref[c].null_count() < ref.height and cur[c].null_count() < cur.height]
    return drift_evidently.report_html(ref, cur, numeric=[c for c in numeric if c in keep],
                                       categorical=[c for c in categorical if c in keep])
