"""Partial dependence: how a version's average output moves as one input moves, for its top inputs.

For each of the ``TOP_K`` most important numeric features (``feature_importance``), scikit-learn's
``partial_dependence`` (kind "average") on the same sample of logged requests that explains the
version (``explain.sample``), on a grid of ``GRID_POINTS`` values between the sample's 5th and 95th
percentiles:

* of the **registered model** when its artifact loads (``explain.load_artifact``): its
  ``predict_proba`` positive class for a classifier, ``predict`` otherwise (method ``model_artifact``);
* else of the **surrogate** that reproduces the logged scores from the logged features (the same
  gradient-boosted regressor as the permutation importance, method ``surrogate``, with its R2 on
  held-out rows): it describes the logged behaviour, and only as faithfully as that R2 says.

``scaleboard refresh`` computes it once per version that has an importance and no curves yet and
appends the rows to ``partial_dependence``, with the feature's reference range (2nd to 98th
percentile of the training window, from the frozen drift bins) so a page can show where the model
was trained.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa

from analytics import sql
from analytics.drift import explain
from analytics.drift import profiles as drift_profiles
from analytics.errors import NoDataError
from analytics.lakehouse import storage
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import table

TOP_K = 3
GRID_POINTS = 20
PERCENTILES = (0.05, 0.95)
PER_REFRESH = 4  # versions per refresh, as explanations: a refresh's cost stays bounded
METHOD_LABELS = {"model_artifact": "the registered model", "surrogate": "a surrogate of the logged scores"}


def curves(model, X, features: list, *, grid_points: int = GRID_POINTS) -> pl.DataFrame:
    """feature, grid_value, average: scikit-learn's partial dependence of ``model`` on ``X`` (a pandas
    frame or an array; ``features`` are its column names or indices) for each feature."""
    from sklearn.inspection import partial_dependence

    out = []
    for f in features:
        pd_ = partial_dependence(model, X, [f], grid_resolution=grid_points, percentiles=PERCENTILES,
                                 kind="average")
        out.append(pl.DataFrame({"feature": str(f), "grid_value": np.asarray(pd_["grid_values"][0], float),
                                 "average": np.asarray(pd_["average"][0], float)}))
    return pl.concat(out) if out else pl.DataFrame(schema={"feature": pl.String, "grid_value": pl.Float64,
                                                           "average": pl.Float64})


def surrogate(wide: pl.DataFrame, *, seed: int = 0):
    """(surrogate, encoded X, feature names, R2 on held-out rows): explain.py's surrogate, refitted."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.model_selection import train_test_split

    feats = explain.features_of(wide)
    if wide.height < explain.MIN_ROWS or not feats:
        raise NoDataError(f"Partial dependence needs at least {explain.MIN_ROWS} requests with logged features.")
    X, y = explain._encode(wide, feats), wide["score"].to_numpy()
    cats = [wide[f].dtype != pl.Float64 for f in feats]
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=seed)
    model = HistGradientBoostingRegressor(max_iter=100, random_state=seed, categorical_features=cats).fit(Xtr, ytr)
    return model, X, feats, float(model.score(Xte, yte))


def dependence(wide: pl.DataFrame, top: list[str], model=None) -> tuple[pl.DataFrame, str, float | None]:
    """(curves, method, surrogate R2) for the ``top`` features of the sample ``wide``: of ``model`` when
    given and it takes the logged columns, else of the surrogate."""
    numeric = [f for f in top if f in wide.columns and wide[f].dtype == pl.Float64]
    if not numeric:
        raise NoDataError("None of the most important inputs is a number: no partial dependence to draw.")
    if model is not None:
        try:
            feats = [str(f) for f in getattr(model, "feature_names_in_", explain.features_of(wide))]
            X = wide.select(feats).to_pandas()
            return curves(model, X, [f for f in numeric if f in feats]), "model_artifact", None
        except Exception:  # the artifact does not take these columns: describe the logged behaviour
            pass
    fitted, X, feats, r2 = surrogate(wide)
    out = curves(fitted, X, [feats.index(f) for f in numeric])
    names = dict(enumerate(feats))
    return out.with_columns(feature=pl.col("feature").cast(pl.Int64).replace_strict(names)), "surrogate", r2


def _reference_range(root: Path, model_id: str, version: str) -> dict[str, tuple[float, float]]:
    out = {}
    for k, b in drift_profiles.load_bins(root).items():
        if k[:3] == ("features", model_id, version) and b.kind == "numeric" and b.edges.size:
            out[k[3]] = (float(b.edges[0]), float(b.edges[-1]))
    return out


def compute_new(con: duckdb.DuckDBPyConnection, root: Path | str) -> int:
    """Curves for up to ``PER_REFRESH`` versions that have an importance and no curves yet; append the
    rows; return how many versions got curves (versions without numeric top inputs are skipped)."""
    done = 0
    for row in sql.run(con, "dependence_versions_todo").iter_rows(named=True):
        if done >= PER_REFRESH:
            break
        top = explain.current(con, model_id=row["model_id"], version=row["version"])["feature"].to_list()
        try:
            wide = explain.sample(con, model_id=row["model_id"], version=row["version"])
            numeric = [f for f in top if f in wide.columns and wide[f].dtype == pl.Float64][:TOP_K]
            frame, method, r2 = dependence(wide, numeric, explain.load_artifact(row["artifact_uri"]))
        except NoDataError:
            continue
        ranges = _reference_range(locate(root), row["model_id"], row["version"])
        rank = {f: i + 1 for i, f in enumerate(numeric)}
        out = frame.with_columns(
            computed_at=pl.lit(datetime.now(UTC)), model_id=pl.lit(row["model_id"]), version=pl.lit(row["version"]),
            rank=pl.col("feature").replace_strict(rank, return_dtype=pl.Int32), method=pl.lit(method),
            n_rows=pl.lit(wide.height), surrogate_r2=pl.lit(r2, dtype=pl.Float64),
            ref_low=pl.col("feature").replace_strict({f: lo for f, (lo, _) in ranges.items()}, default=None,
                                                     return_dtype=pl.Float64),
            ref_high=pl.col("feature").replace_strict({f: hi for f, (_, hi) in ranges.items()}, default=None,
                                                      return_dtype=pl.Float64))
        storage.append(root, "partial_dependence",
                       pa.Table.from_pylist(out.to_dicts(), schema=table("partial_dependence").schema))
        done += 1
    return done


def current(con: duckdb.DuckDBPyConnection, *, model_id: str, version: str, scope=None) -> pl.DataFrame:
    """The curves in force for a version (newest computation): model_id, feature, rank, grid_value,
    average, method, surrogate_r2, ref_low, ref_high; empty for a model outside ``scope``'s units."""
    units = list(scope.units) if scope is not None and scope.units is not None else None
    return sql.run(con, "partial_dependence_current", model_id=model_id, version=version, units=units)
