"""The drift engine: compare two tables column by column, with Evidently's verdicts, faster.

``compare(reference, current)`` takes polars or pandas frames (or DuckDB relations) and returns one
row per column::

    column, kind ("numeric"|"categorical"), method, statistic, p_value (null for distances),
    threshold, drifted, status ("ok"|"warning"|"drift"), n_ref, n_cur, share_null_ref,
    share_null_cur, note

``method="auto"`` follows Evidently 0.7's default rules (see ``choose_method``). Status is graded for
executives (green / amber / red): "drift" is exactly Evidently's verdict; "warning" is the band
just short of it (p-value below twice the threshold, or a distance at half the threshold or more;
PSI uses its conventional 0.1 / 0.25 bands). ``dataset_drift`` says whether the share of drifted
columns reaches ``drift_share`` (0.5 by default, as Evidently).

Raises ``InputError`` for an unknown column, an empty table, an unknown method or a column that
mixes numbers and text. A column with no values in a window, or a single value, is not an error:
its row says so in ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from analytics.drift import stats as ds
from analytics.errors import InputError

METHODS = ("ks", "chisquare", "z", "wasserstein", "jensenshannon", "psi", "hellinger")
P_VALUE_METHODS = ("ks", "chisquare", "z")
DEFAULT_THRESHOLDS = {"ks": 0.05, "chisquare": 0.05, "z": 0.05, "wasserstein": 0.1,
                      "jensenshannon": 0.1, "psi": ds.PSI_BANDS[1], "hellinger": 0.1}
METHOD_LABELS = {"ks": "K-S p-value", "chisquare": "chi-square p-value", "z": "Z-test p-value",
                 "wasserstein": "Wasserstein distance (normed)", "jensenshannon": "Jensen-Shannon distance",
                 "psi": "PSI", "hellinger": "Hellinger distance"}
INTEGER_CARDINALITY_LIMIT = 10  # Evidently 0.7: an integer column with this many distinct values or fewer is categorical
SMALL_REFERENCE = 1000  # Evidently: statistical tests up to this many reference values, distances above
DRIFT_SHARE = 0.5

RESULT_SCHEMA = {
    "column": pl.String, "kind": pl.String, "method": pl.String, "statistic": pl.Float64,
    "p_value": pl.Float64, "threshold": pl.Float64, "drifted": pl.Boolean, "status": pl.String,
    "n_ref": pl.Int64, "n_cur": pl.Int64, "share_null_ref": pl.Float64, "share_null_cur": pl.Float64,
    "note": pl.String,
}


@dataclass(frozen=True)
class DatasetDrift:
    n_columns: int
    n_drifted: int
    share_drifted: float
    drift_share: float
    drifted: bool


def choose_method(kind: str, n_ref: int, n_unique: int) -> str:
    """Evidently's default: up to 1,000 reference values, KS for numeric with more than 5 distinct
    values, chi-square for categorical / low-cardinality, z for binary; above, normed Wasserstein
    for numeric with more than 5 distinct values and Jensen-Shannon for the rest."""
    if n_ref <= SMALL_REFERENCE:
        if kind == "numeric" and n_unique > 5:
            return "ks"
        return "chisquare" if n_unique > 2 else "z"
    return "wasserstein" if kind == "numeric" and n_unique > 5 else "jensenshannon"


def few_whole_values(x: np.ndarray) -> bool:
    """Whether finite numbers look like an integer column Evidently infers as categorical: all
    whole, at most ``INTEGER_CARDINALITY_LIMIT`` distinct values (a long-format lakehouse stores
    every number as a float, so the integer type itself is lost)."""
    x = x[np.isfinite(x)]
    return x.size > 0 and bool(np.all(x == np.floor(x))) and np.unique(x).size <= INTEGER_CARDINALITY_LIMIT


def grade(method: str, statistic: float | None, p_value: float | None, threshold: float) -> tuple[bool, str]:
    """(drifted, status) for one result; drifted is Evidently's verdict for the method. A statistic
    that could not be computed (None or NaN) is never "ok": it is a "warning" to look at."""
    if method in P_VALUE_METHODS:
        if p_value is None or np.isnan(p_value):
            return False, "warning"
        drifted = p_value <= threshold if method == "ks" else p_value < threshold
        return drifted, "drift" if drifted else ("warning" if p_value < 2 * threshold else "ok")
    if statistic is None or np.isnan(statistic):
        return False, "warning"
    drifted = statistic >= threshold
    warn_at = ds.PSI_BANDS[0] if method == "psi" else threshold / 2
    return drifted, "drift" if drifted else ("warning" if statistic >= warn_at else "ok")


def dataset_drift(result: pl.DataFrame, drift_share: float = DRIFT_SHARE) -> DatasetDrift:
    n = result.height
    k = int(result["drifted"].sum()) if n else 0
    share = k / n if n else 0.0
    return DatasetDrift(n, k, share, drift_share, n > 0 and share >= drift_share)


# ---------------------------------------------------------------- input handling

def to_polars(frame, name: str) -> pl.DataFrame:
    if isinstance(frame, pl.DataFrame):
        return frame
    if isinstance(frame, pl.LazyFrame):
        return frame.collect()
    if hasattr(frame, "pl") and callable(frame.pl):  # DuckDB relation
        return frame.pl()
    try:
        import pandas as pd

        if isinstance(frame, pd.DataFrame):
            _check_pandas_objects(frame, name)
            return pl.from_pandas(frame)
    except ImportError:  # pragma: no cover
        pass
    raise InputError(f"The {name} data must be a polars or pandas frame or a DuckDB relation, "
                     f"not {type(frame).__name__}.")


def _check_pandas_objects(frame, name: str) -> None:
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object:
            kinds = {("number" if isinstance(v, int | float) and not isinstance(v, bool) else type(v).__name__)
                     for v in s.dropna().head(100_000)}
            if "number" in kinds and "str" in kinds:
                raise InputError(f"Column '{col}' in the {name} data mixes numbers and text; "
                                 "cast it to one type (numbers for a numeric feature, text for a category).")


def _kind(dtype: pl.DataType) -> str:
    return "numeric" if dtype.is_numeric() and dtype != pl.Boolean else "categorical"


def _few_valued_integer(s: pl.Series) -> bool:
    """Evidently's column-type rule: an integer column with at most 10 distinct values is categorical."""
    return s.dtype.is_integer() and s.n_unique() - (1 if s.null_count() else 0) <= INTEGER_CARDINALITY_LIMIT


def _columns(ref: pl.DataFrame, cur: pl.DataFrame, columns, categorical) -> list[tuple[str, str]]:
    for name, df in (("reference", ref), ("current", cur)):
        if df.height == 0:
            raise InputError(f"The {name} window has no rows; pick a window that contains data.")
    cols = list(columns) if columns is not None else [c for c in ref.columns if c in cur.columns]
    if not cols:
        raise InputError("The reference and current data have no column in common.")
    unknown = [c for c in cols if c not in ref.columns or c not in cur.columns]
    if unknown:
        raise InputError(f"Unknown column(s): {', '.join(map(str, unknown))}. "
                         f"Columns in both tables: {', '.join(c for c in ref.columns if c in cur.columns)}.")
    cats = set(categorical or ())
    out = []
    for c in cols:
        kr, kc = _kind(ref.schema[c]), _kind(cur.schema[c])
        nulls = (ref.schema[c] == pl.Null, cur.schema[c] == pl.Null)
        if kr != kc and not any(nulls):
            raise InputError(f"Column '{c}' is {kr} in the reference but {kc} in the current data; "
                             "cast both to the same type.")
        kind = "categorical" if c in cats or _few_valued_integer(ref[c]) else (kc if nulls[0] else kr)
        out.append((c, kind))
    return out


def _numeric(s: pl.Series) -> np.ndarray:
    x = s.cast(pl.Float64).drop_nulls().to_numpy()
    return np.sort(x[np.isfinite(x)])


# ---------------------------------------------------------------- the engine

def compare(reference, current, *, columns=None, categorical=None, method: str = "auto",
            threshold: float | None = None) -> pl.DataFrame:
    """Drift of every column of ``current`` against ``reference`` (one row per column).

    ``columns`` defaults to the columns present in both; ``categorical`` forces columns to be
    treated as categories (strings and booleans always are). ``threshold`` overrides the method's
    default (p-value level for tests, distance for the others).
    """
    if method != "auto" and method not in METHODS:
        raise InputError(f"Unknown drift method '{method}'. Use 'auto' or one of: {', '.join(METHODS)}.")
    ref = to_polars(reference, "reference")
    cur = to_polars(current, "current")
    rows = [_one(c, kind, ref[c], cur[c], method, threshold) for c, kind in _columns(ref, cur, columns, categorical)]
    return pl.DataFrame(rows, schema=RESULT_SCHEMA, orient="row")


def _one(col: str, kind: str, r: pl.Series, c: pl.Series, method: str, threshold: float | None) -> tuple:
    null_r = r.null_count() / max(r.len(), 1)
    null_c = c.null_count() / max(c.len(), 1)
    if kind == "numeric":
        rv, cv = _numeric(r), _numeric(c)
        n_ref, n_cur = rv.size, cv.size
        # +-inf and NaN count as missing, like nulls (they are dropped before testing, as Evidently)
        null_r, null_c = 1 - n_ref / max(r.len(), 1), 1 - n_cur / max(c.len(), 1)
    else:
        rs, cs = r.drop_nulls(), c.drop_nulls()
        n_ref, n_cur = rs.len(), cs.len()
    base = (col, kind)
    if n_ref == 0 or n_cur == 0:
        which = "reference" if n_ref == 0 else "current"
        m = method if method != "auto" else None
        thr = threshold if threshold is not None else (DEFAULT_THRESHOLDS[m] if m else None)
        # a feed that stopped sending values is drift; a reference without values cannot be judged
        drifted = n_ref > 0
        return (*base, m, None, None, thr, drifted, "drift" if drifted else "warning", n_ref, n_cur,
                null_r, null_c, f"No values in the {which} window (all missing); cannot compare distributions.")
    if kind == "numeric":
        n_unique_ref = ds.n_unique_sorted(rv)
        n_unique = n_unique_ref if n_unique_ref > 5 else np.union1d(rv, cv).size
        m = method if method != "auto" else choose_method(kind, n_ref, n_unique)
        stat, p = _numeric_stat(m, rv, cv, n_unique_ref, (r.len() - n_ref, c.len() - n_cur))
    else:
        vr, vc = rs.value_counts(), cs.value_counts()
        keys = pl.concat([vr[r.name], vc[c.name]]).unique(maintain_order=True)
        n_unique = keys.len()
        m = method if method != "auto" else choose_method(kind, n_ref, n_unique)
        stat, p = _categorical_stat(m, keys, vr, vc, r.name, (r.null_count(), c.null_count()))
    thr = threshold if threshold is not None else DEFAULT_THRESHOLDS[m]
    drifted, status = grade(m, stat, p, thr)
    note = "A single value in both windows." if n_unique == 1 else None
    return (*base, m, stat, p, thr, drifted, status, n_ref, n_cur, null_r, null_c, note)


def _numeric_stat(m: str, rv: np.ndarray, cv: np.ndarray, n_unique_ref: int,
                  nulls: tuple[int, int]) -> tuple[float, float | None]:
    if m == "ks":
        return ds.ks(rv, cv)
    if m == "wasserstein":
        return ds.wasserstein_norm(rv, cv), None
    if m == "psi":
        edges = ds.quantile_edges(rv, ds.PSI_BINS)
        # nulls (and non-finite values) get a bin of their own
        return ds.psi(np.append(ds.bin_counts(rv, edges), nulls[0]),
                      np.append(ds.bin_counts(cv, edges), nulls[1])), None
    if m == "hellinger":
        return ds.hellinger_numeric(rv, cv), None
    if m == "jensenshannon" and n_unique_ref > 20:
        p, q = ds.sturges_shares(rv, cv)
        return ds.jensenshannon(p, q), None
    # value-based: chisquare, z, and jensenshannon on few distinct values
    keys = np.union1d(rv, cv)
    rc = np.bincount(np.searchsorted(keys, rv), minlength=keys.size)
    cc = np.bincount(np.searchsorted(keys, cv), minlength=keys.size)
    return _on_counts(m, rc, cc)


def _categorical_stat(m: str, keys: pl.Series, vr: pl.DataFrame, vc: pl.DataFrame, name: str,
                      nulls: tuple[int, int]):
    if m in ("ks", "wasserstein"):
        raise InputError(f"Method '{m}' needs numbers, but column '{name}' holds categories; "
                         "use chisquare, z, jensenshannon, psi or hellinger.")
    keys = keys.sort()
    frame = pl.DataFrame({name: keys})
    rc = frame.join(vr, on=name, how="left")["count"].fill_null(0).to_numpy()
    cc = frame.join(vc, on=name, how="left")["count"].fill_null(0).to_numpy()
    if m == "psi":  # categories of the reference, plus one bin for categories it never saw
        seen = rc > 0
        rc = np.append(rc[seen], [0, nulls[0]])
        cc = np.append(cc[seen], [cc[~seen].sum(), nulls[1]])
    return _on_counts(m, rc, cc)


def _on_counts(m: str, rc: np.ndarray, cc: np.ndarray) -> tuple[float, float | None]:
    if m == "chisquare":
        return ds.chisquare(rc, cc)
    if m == "z":
        if rc.size == 1:
            return 0.0, 1.0
        return ds.z_proportions(int(rc.sum()), int(rc[1:].sum()), int(cc.sum()), int(cc[1:].sum()))
    if m == "jensenshannon":
        return ds.jensenshannon(rc, cc), None
    if m == "psi":
        return ds.psi(rc, cc), None
    if m == "hellinger":
        return ds.hellinger_counts(rc, cc), None
    raise InputError(f"Method '{m}' does not apply here.")
