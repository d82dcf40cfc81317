"""The logged training sets: ``TRAINING_ROWS`` feature rows per model version inside its training window.

A version's drift reference is its training window (``train_start_at .. train_end_at``,
see ``analytics.drift.profiles``). Production traffic in that window is often thin (a young model's
adoption S-curve starts tiny, or the window lies before the model went live), so without the
training set the reference held a handful of rows and every stationary feature looked drifted.
Each version therefore logs its training set to ``features``: request ids ``t`` + 15 digits
(never a scored request, so no ``predictions`` or ``outcomes`` rows), times uniform over the
window, values drawn from the same per-day distributions the production traffic uses on those days.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from analytics.demo.enterprise import MODELS
from analytics.demo.sink import Sink
from analytics.demo.story import US_PER_DAY
from analytics.demo.traffic import VERSIONS, Context, _dict, _feature_values, _ts, draw

TRAINING_ROWS = 2_000  # per model version: a reference of >= 1,000 rows for every version
PREFIX = "t"


def training_ids(start: int, n: int) -> pa.StringArray:
    """``t000000000000001``-style ids for ``start .. start+n-1`` (as long as the ``r`` request ids)."""
    return pa.array([f"{PREFIX}{i:015d}" for i in range(start, start + n)], pa.string())


def training_features(ctx: Context, sink: Sink, *, rows: int = TRAINING_ROWS) -> int:
    """Write the training set of every registered version; return the number of requests written.

    Deterministic per (seed, model, version). Rows past the end of the data are dropped (a window
    always ends before its version's registration, which is inside the data).
    """
    story = ctx.story
    index = {m.model_id: i for i, m in enumerate(MODELS)}
    parts: dict[str, list[pa.Table]] = {}
    first = 1
    for v in sorted(ctx.org.versions, key=lambda r: (r["model_id"], r["version"])):
        m = index[v["model_id"]]
        vno = int(v["version"][1:])
        rng = np.random.default_rng([ctx.seed, 30, m, vno])
        lo, hi = int(v["train_start_at"]), min(int(v["train_end_at"]) + US_PER_DAY, ctx.end_us)
        if hi <= lo:
            continue
        ts = np.sort(lo + (rng.random(rows) * (hi - lo)).astype(np.int64))
        day = (ts - story.start_us) // US_PER_DAY
        gender = draw(rng, (0.48, 0.50, 0.02), rows)
        rid = training_ids(first, rows)
        first += rows
        month = ts.astype("datetime64[us]").astype("datetime64[M]")
        cols = {"row": [], "feature": [], "num": [], "cat": [], "cat_null": []}
        for f in MODELS[m].features:
            num, cat = _feature_values(ctx, rng, MODELS[m].model_id, f, day, gender)
            cols["row"].append(np.arange(rows))
            cols["feature"].append(np.full(rows, ctx.feature_index[f.name], np.int32))
            if cat is None:
                cols["num"].append(num)
                cols["cat"].append(np.zeros(rows, np.int32))
                cols["cat_null"].append(np.ones(rows, bool))
            else:
                cols["num"].append(np.full(rows, np.nan))
                cols["cat"].append(cat + ctx.category_offset[(f.name, f.cats)])
                cols["cat_null"].append(np.zeros(rows, bool))
        row = np.concatenate(cols["row"])
        order = np.argsort(ts[row], kind="stable")  # chronological inside each part
        row = row[order]
        table = pa.table({
            "feature_at": _ts(ts[row]), "model_id": _dict(np.full(row.size, m), ctx.model_ids),
            "version": _dict(np.full(row.size, vno - 1), VERSIONS), "request_id": rid.take(pa.array(row)),
            "feature": _dict(np.concatenate(cols["feature"])[order], ctx.feature_names),
            "value_num": pa.array(np.concatenate(cols["num"])[order], from_pandas=True),
            "value_cat": _dict(np.concatenate(cols["cat"])[order], ctx.categories,
                               np.concatenate(cols["cat_null"])[order]),
        })
        months = month[row]
        for mo in np.unique(months):
            parts.setdefault(str(mo), []).append(table.filter(pa.array(months == mo)))
    for mo in sorted(parts):
        sink.write("features", pa.concat_tables(parts[mo]), mo)
    return first - 1


__all__ = ["PREFIX", "TRAINING_ROWS", "training_features", "training_ids"]
