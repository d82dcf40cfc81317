"""Explanations: how much each input feature drives a model version's output.

* **mean |SHAP|** when the version's artifact can be loaded (``model_versions.artifact_uri``, e.g.
  imported from MLflow): SHAP values of the real model on a sample of logged requests (``shap``).
* **permutation importance of a surrogate** otherwise: a gradient-boosted surrogate is fitted to
  reproduce the model's logged scores from the logged features, and each feature's importance is
  the drop in R2 when it is shuffled (scikit-learn's ``permutation_importance`` on held-out rows). It
  explains the logged behaviour of the model without its code; ``surrogate_r2`` says how faithful it is.

``scaleboard refresh`` computes it once per new version (``compute_new``) on the newest
``SAMPLE_ROWS`` requests with logged features, and appends rows to ``feature_importance``; pages and
alerts read that small table. Importance is normalised to sum to 1 per version, so "importance x
drift" ranks drifted features by how much the model uses them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.errors import NoDataError
from analytics.lakehouse import storage
from analytics.lakehouse.schema import table

SAMPLE_ROWS = 5_000
MIN_ROWS = 200


@dataclass(frozen=True)
class Importance:
    frame: pl.DataFrame  # feature, importance (sums to 1), method
    n_rows: int
    surrogate_r2: float | None = None


def sample(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str, limit: int = SAMPLE_ROWS) -> pl.DataFrame:
    """The newest ``limit`` scored requests of the version as a wide frame: request_id, score, label and
    one column per feature (numbers as float, categories as strings)."""
    long = sql.run(con, "explain_sample", model_id=model_id, version=version, limit=limit)
    if long.is_empty():
        raise NoDataError(f"No logged features for {model_id} version {version}.")
    value = pl.when(pl.col("value_num").is_not_null()).then(pl.col("value_num").cast(pl.String)).otherwise(
        pl.col("value_cat"))
    kinds = long.group_by("feature").agg(numeric=pl.col("value_num").is_not_null().all())
    wide = long.with_columns(value=value).pivot("feature", index=["request_id", "score", "label"], values="value",
                                                 aggregate_function="first")
    numeric = set(kinds.filter("numeric")["feature"].to_list())
    return wide.with_columns([pl.col(f).cast(pl.Float64) for f in wide.columns if f in numeric])


def features_of(wide: pl.DataFrame) -> list[str]:
    return [c for c in wide.columns if c not in ("request_id", "score", "label")]


def _encode(wide: pl.DataFrame, features: list[str]) -> np.ndarray:
    """Numbers as they are (missing -> median), categories as integer codes (tree models split on them)."""
    cols = []
    for f in features:
        s = wide[f]
        if s.dtype == pl.Float64:
            cols.append(s.fill_null(s.median() if s.drop_nulls().len() else 0.0).fill_nan(0.0).to_numpy())
        else:
            cols.append(s.fill_null("(missing)").cast(pl.Categorical).to_physical().cast(pl.Float64).to_numpy())
    return np.column_stack(cols)


def permutation_surrogate(wide: pl.DataFrame, *, seed: int = 0) -> Importance:
    """Permutation importance of a surrogate that reproduces the logged scores (see the module docstring)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.inspection import permutation_importance
    from sklearn.model_selection import train_test_split

    feats = features_of(wide)
    if wide.height < MIN_ROWS or not feats:
        raise NoDataError(f"Explanations need at least {MIN_ROWS} requests with logged features.")
    X, y = _encode(wide, feats), wide["score"].to_numpy()
    cats = [wide[f].dtype != pl.Float64 for f in feats]
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed)
    model = HistGradientBoostingRegressor(max_iter=100, random_state=seed, categorical_features=cats).fit(Xtr, ytr)
    r2 = float(model.score(Xte, yte))
    pi = permutation_importance(model, Xte, yte, n_repeats=3, random_state=seed, scoring="r2")
    return Importance(_frame(feats, np.clip(pi.importances_mean, 0, None), "permutation_surrogate"), wide.height, r2)


def mean_abs_shap(model, wide: pl.DataFrame, *, max_rows: int = 2_000) -> Importance:
    """Mean |SHAP value| per feature of a fitted model (its ``predict_proba``'s positive class or
    ``predict``) on up to ``max_rows`` logged requests, in the logged feature order."""
    import shap

    feats = [str(f) for f in getattr(model, "feature_names_in_", features_of(wide))]  # the model's own order
    X = wide.select(feats).head(max_rows).to_pandas()
    predict = (lambda a: model.predict_proba(a)[:, 1]) if hasattr(model, "predict_proba") else model.predict
    explainer = shap.Explainer(predict, X, seed=0)
    values = explainer(X).values
    return Importance(_frame(feats, np.abs(values).mean(axis=0), "mean_abs_shap"), len(X))


def _frame(features: list[str], raw: np.ndarray, method: str) -> pl.DataFrame:
    total = float(raw.sum())
    share = raw / total if total > 0 else np.zeros_like(raw)
    return pl.DataFrame({"feature": features, "importance": share.astype(float), "method": method}).sort(
        "importance", descending=True)


def load_artifact(artifact_uri: str | None):
    """The model behind a registry artifact URI, or None when it cannot be loaded here (no MLflow,
    an unreachable store): the caller falls back to the surrogate."""
    if not artifact_uri:
        return None
    try:
        import mlflow.sklearn

        return mlflow.sklearn.load_model(artifact_uri)
    except Exception:  # an optional path: any failure means "use the surrogate"
        return None


def explain(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str, artifact_uri: str | None = None) -> Importance:
    """SHAP of the artifact when it loads, else the surrogate's permutation importance."""
    wide = sample(con, model_id=model_id, version=version)
    model = load_artifact(artifact_uri)
    if model is not None:
        try:
            return mean_abs_shap(model, wide)
        except Exception:  # the artifact does not take these columns: explain the logged behaviour
            pass
    return permutation_surrogate(wide)


def compute_new(con: duckdb.DuckDBPyConnection, root: Path | str) -> int:
    """Explain every production or pilot model's versions that have no importance yet; append the
    rows; return how many versions were explained (versions without enough data are skipped)."""
    todo = sql.run(con, "explain_versions_todo")
    done = 0
    now = datetime.now(UTC)
    for row in todo.iter_rows(named=True):
        try:
            imp = explain(con, model_id=row["model_id"], version=row["version"], artifact_uri=row["artifact_uri"])
        except NoDataError:
            continue
        out = imp.frame.with_columns(computed_at=pl.lit(now), model_id=pl.lit(row["model_id"]),
                                     version=pl.lit(row["version"]), n_rows=pl.lit(imp.n_rows),
                                     surrogate_r2=pl.lit(imp.surrogate_r2, dtype=pl.Float64))
        storage.append(root, "feature_importance",
                       pa.Table.from_pylist(out.to_dicts(), schema=table("feature_importance").schema))
        done += 1
    return done


MIN_FAITHFUL_R2 = 0.5  # below this the surrogate does not reproduce the scores: its ranking is not shown
MIN_IMPORTANCE = 0.05  # a drifted input the model gives less than this share of its output is not critical


def trusted(importance: pl.DataFrame) -> dict[str, float]:
    """{feature: share of the output} when the computation can be trusted (SHAP of the real model, or
    a surrogate that reproduces the scores), else {}: an untrusted ranking must not change a verdict."""
    if importance.is_empty():
        return {}
    r2 = importance["surrogate_r2"][0] if "surrogate_r2" in importance.columns else None
    if importance["method"][0] == "permutation_surrogate" and (r2 is None or r2 < MIN_FAITHFUL_R2):
        return {}
    return dict(zip(importance["feature"], importance["importance"], strict=True))


def attach(table: pl.DataFrame, importance: pl.DataFrame) -> pl.DataFrame:
    """The drift table with each feature's ``importance`` (share of the model's output; null when not
    computed or not trusted) and ``impact`` = importance x statistic, to rank drifted inputs."""
    shares = trusted(importance)
    return table.with_columns(importance=pl.col("column").replace_strict(shares, default=None, return_dtype=pl.Float64)
                              ).with_columns(impact=pl.col("importance") * pl.col("statistic"))


def current(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str) -> pl.DataFrame:
    """The importance in force for a version (newest computation): feature, importance, method."""
    return sql.run(con, "feature_importance_current", model_id=model_id, version=version)
