"""What the drift explorer and the drift alerts ask: drift of a model version between two
windows from profiles (fast), its history per week, distributions for the overlay, and exact
comparisons on raw rows on demand.

Functions take a DuckDB connection (or cursor) first, then plain values; ``root`` is the lakehouse
folder (the frozen bins live there). Windows are inclusive day ranges (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from analytics import sql
from analytics.drift import compare as drift
from analytics.drift import profiles as drift_profiles
from analytics.drift.policy import too_small
from analytics.drift.profiles import Bins, compare_merged, merged
from analytics.errors import InputError, NoDataError
from analytics.lakehouse.objectstore import locate

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
    """One row per model version with its reference (training) window, its validation window (null
    when none is declared) and the last day with data."""
    return sql.run(con, "drift_model_versions")


def models_with_profiles(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The models that have drift profiles (logged features or predictions, after a refresh), sorted."""
    return sorted(sql.run(con, "drift_models_with_profiles")["model_id"])


def default_windows(con: duckdb.DuckDBPyConnection, root: str, model_id: str, version: str) -> Windows:
    """Reference = the window the version's bins were frozen from (its training window);
    current = the last 30 days with profiles."""
    ref = drift_profiles.reference_window(locate(root), model_id, version)
    last = sql.run(con, "drift_last_day", m=model_id, v=version)["d"][0]
    if ref is None or last is None:
        raise NoDataError(f"No drift profiles for {model_id} version {version} yet; run `scaleboard refresh`.")
    return Windows(ref[0], ref[1], last - timedelta(days=CURRENT_DAYS - 1), last)


def _bins(root: str, model_id: str, version: str) -> dict[str, Bins]:
    return {k[3]: b for k, b in drift_profiles.load_bins(locate(root)).items()
            if k[1] == model_id and k[2] == version}


def _window(con, model_id: str, version: str, start: date, end: date) -> dict[str, dict]:
    rows = sql.run(con, "drift_profile_window", model_id=model_id, version=version, start_date=start,
                   end_date=end)
    return {r["feature"]: r for r in rows.iter_rows(named=True)}


def drift_table(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str,
                ref_start: date, ref_end: date, cur_start: date, cur_end: date) -> pl.DataFrame:
    """Drift of every feature and the prediction from profiles (one row per feature with frozen bins
    and rows in either window, most severe first): ``drift.RESULT_SCHEMA`` columns plus ``bound`` (the
    exact normed Wasserstein distance lies in [statistic, statistic + bound]), ``psi`` and
    ``psi_status``. A feature with no rows in the current window stays as "Missing" with status
    drift; the status never contradicts the PSI band or the bound (``profiles.reconcile``)."""
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
    last = None
    for feature, b in sorted(bins.items()):
        if feature not in ref and feature not in cur:
            continue
        # a feature with no rows at all in a window (a feed that stopped) is compared as empty:
        # it stays in the table as missing, with status drift, rather than vanishing
        rows.append(compare_merged(feature, _merged_or_empty(ref.get(feature), b),
                                   _merged_or_empty(cur.get(feature), b), b))
        if feature not in cur:
            last = last if last is not None else last_days(con, model_id, version)
            seen = last.get(feature)
            rows[-1]["note"] = (f"Missing: no rows for {feature} in the current window"
                                + (f" (last value on {seen:%d %b %Y})." if seen else ".")
                                + " The feed may have stopped.")
    for r in rows:
        why = too_small(r["n_ref"], r["n_cur"], r["statistic"])
        if why:
            r["note"] = f"{why}; not alerted. {r['note'] or ''}".strip()
    out = pl.DataFrame(rows, infer_schema_length=None)
    order = {"drift": 0, "warning": 1, "ok": 2}
    return out.with_columns(pl.col("status").replace_strict(order).alias("_o")).sort(
        ["_o", "statistic"], descending=[False, True], nulls_last=True).drop("_o")


def _merged_or_empty(row: dict | None, b: Bins) -> drift_profiles.Merged:
    if row is not None:
        return merged(row)
    size = b.edges.size + 1 if b.kind == "numeric" else len(b.categories) + 1
    return drift_profiles.Merged(b.kind, 0, 0, 0.0, 0.0, None, None, np.zeros(size), np.zeros(size))


def last_days(con: duckdb.DuckDBPyConnection, model_id: str, version: str) -> dict[str, date]:
    """The last day each feature of the version had a value (feature -> date)."""
    rows = sql.run(con, "drift_feature_last_day", model_id=model_id, version=version)
    return dict(zip(rows["feature"].to_list(), rows["last_day"].to_list(), strict=True))


def drift_history(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str,
                  ref_start: date, ref_end: date, start: date, end: date,
                  feature: str | None = None) -> pl.DataFrame:
    """Statistic and status per feature and week (monday) against the reference window (status from
    the statistic and the PSI band; the table's bound rule is not applied to single weeks)."""
    bins = _bins(root, model_id, version)
    ref = _window(con, model_id, version, ref_start, ref_end)
    weekly = sql.run(con, "drift_profile_weekly", model_id=model_id, version=version, start_date=start,
                     end_date=end, feature=feature)
    rows = []
    for r in weekly.iter_rows(named=True):
        f = r["feature"]
        if f in bins and f in ref:
            res = compare_merged(f, merged(ref[f]), merged(r), bins[f], judge_bound=False)
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


def bin_labels(edges: np.ndarray) -> list[str]:
    """Labels of the right-closed bins of inner ``edges`` with open outer bins, in order
    ("≤ 3", "3 – 5", "> 5"), with just enough digits that neighbouring edges read differently."""
    if edges.size == 0:
        return ["all values"]
    for digits in range(3, 16):
        text = [f"{e:.{digits}g}" for e in edges]
        if len(set(text)) == len(text):
            break
    return [f"≤ {text[0]}", *(f"{a} – {z}" for a, z in zip(text[:-1], text[1:], strict=True)), f"> {text[-1]}"]


def distribution(con: duckdb.DuckDBPyConnection, *, root: str, model_id: str, version: str, feature: str,
                 ref_start: date, ref_end: date, cur_start: date, cur_end: date) -> pl.DataFrame:
    """Share per bin in the reference and current windows (long: bin, label, lower, upper, window, share).

    Numbers are shown on the reference deciles (the PSI bins; right-closed, open outer bins, so
    ``lower``/``upper`` are null at the ends), labelled with their edges in order; categories on
    the frozen top categories plus "other". Both windows share the same bins and labels."""
    b = _bins(root, model_id, version).get(feature)
    if b is None:
        raise InputError(f"Unknown feature '{feature}' for {model_id} version {version}.")
    if b.kind == "numeric":
        labels = bin_labels(b.psi_edges)
        lo = [None, *b.psi_edges.tolist()]
        hi = [*b.psi_edges.tolist(), None]
    else:
        labels = [*b.categories, "other"]
        lo = hi = [None] * len(labels)
    out = []
    for name, (s, e) in (("reference", (ref_start, ref_end)), ("current", (cur_start, cur_end))):
        m = _window(con, model_id, version, s, e).get(feature)
        if m is None:
            continue
        counts = merged(m).counts
        if b.kind == "numeric":
            dec = b.decile_of_bin()
            counts = np.bincount(dec, weights=counts, minlength=len(labels))
        shares = counts / counts.sum() if counts.sum() else counts
        out.append(pl.DataFrame({"bin": np.arange(shares.size), "label": labels, "lower": lo, "upper": hi,
                                 "window": name, "share": shares},
                                schema_overrides={"lower": pl.Float64, "upper": pl.Float64}))
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
    # whole numbers with few distinct values in the reference are categories (Evidently's rule)
    few = {f for f in numeric if drift.few_whole_values(
        frames[0].filter(pl.col("feature") == f)["value_num"].drop_nulls().to_numpy())}
    numeric = [f for f in numeric if f not in few]
    categorical = sorted([*kinds.filter(pl.col("num") < pl.col("cat"))["feature"].to_list(), *few])
    wide = []
    for long in frames:
        v = long.with_columns(_cat=drift_profiles.as_category(long)).with_columns(
            value=pl.when(pl.col("feature").is_in(numeric)).then(pl.col("value_num").cast(pl.String))
            .otherwise(pl.col("_cat")))
        w = v.pivot(on="feature", index="request_id", values="value", aggregate_function="first")
        for c in numeric + categorical:
            if c not in w.columns:
                w = w.with_columns(pl.lit(None, pl.String).alias(c))
        wide.append(w.with_columns(pl.col(numeric).cast(pl.Float64)).select(numeric + categorical))
    return wide[0], wide[1], numeric, categorical


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
