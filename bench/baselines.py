"""The comparison points, each run in a fresh process: a plain DuckDB scan (the floor) and pandas.

Both compute what the overview needs from raw prediction logs: predictions per model and month.
Prints JSON with seconds and peak RSS. Usage: python -m bench.baselines duckdb|pandas ROOT
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def duckdb_scan(root: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    glob = str(root / "predictions" / "**" / "*.parquet")
    q = ("select model_id, date_trunc('month', prediction_at) as month, count(*) as n, avg(score) as s "
         f"from read_parquet('{glob}') group by all")
    t0 = time.perf_counter()
    con.sql(q).fetchall()
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.sql(q).fetchall()
    warm = time.perf_counter() - t0
    return {"cold_s": cold, "warm_s": warm, "peak_rss_mib": peak_rss_mib()}


def pandas_groupby(root: Path) -> dict:
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_parquet(root / "predictions", columns=["model_id", "prediction_at", "score"])
    df["month"] = df["prediction_at"].dt.to_period("M")
    df.groupby(["model_id", "month"], observed=True)["score"].agg(["count", "mean"])
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    df.groupby(["model_id", "month"], observed=True)["score"].agg(["count", "mean"])
    warm = time.perf_counter() - t0
    return {"cold_s": cold, "warm_s": warm, "peak_rss_mib": peak_rss_mib()}


if __name__ == "__main__":
    kind, root = sys.argv[1], Path(sys.argv[2])
    print(json.dumps({"duckdb": duckdb_scan, "pandas": pandas_groupby}[kind](root)))
