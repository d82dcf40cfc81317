"""Benchmark: our drift engine vs Evidently's DataDriftPreset on the same frames, and drift for a
30-day window from profiles. Prints a markdown section (also written to bench/results/drift.md).

    .venv/bin/python bench/bench_drift.py [--rows 500000] [--profile-rows 100000000]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.drift import compare as drift  # noqa: E402
from analytics.drift import report as drift_evidently  # noqa: E402


def frames(n: int, seed: int = 0) -> tuple[pl.DataFrame, pl.DataFrame, list[str], list[str]]:
    rng = np.random.default_rng(seed)
    num = [f"x{i}" for i in range(20)]
    cat = [f"c{i}" for i in range(5)]

    def make(shift: bool) -> pl.DataFrame:
        cols = {c: rng.normal(0.3 * (shift and i % 4 == 0), 1 + 0.2 * (shift and i % 5 == 1), n) for i, c in
                enumerate(num)}
        for i, c in enumerate(cat):
            p = np.array([0.5, 0.3, 0.15, 0.05])
            if shift and i < 2:
                p = np.array([0.35, 0.3, 0.2, 0.15])
            cols[c] = rng.choice(["a", "b", "c", "d"], n, p=p)
        return pl.DataFrame(cols)

    return make(False), make(True), num, cat


class PeakRss:
    """Peak resident memory of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self):
        self.proc = psutil.Process()
        self.base = self.proc.memory_info().rss
        self.peak = self.base
        self.stop = False
        self.t = threading.Thread(target=self._watch, daemon=True)
        self.t.start()
        return self

    def _watch(self):
        while not self.stop:
            self.peak = max(self.peak, self.proc.memory_info().rss)
            time.sleep(0.02)

    def __exit__(self, *exc):
        self.stop = True
        self.t.join()

    @property
    def delta_gib(self) -> float:
        return (self.peak - self.base) / 2**30


def engine_vs_evidently(n: int) -> list[str]:
    ref, cur, num, cat = frames(n)
    with PeakRss() as m_ours:
        t0 = time.perf_counter()
        ours = drift.compare(ref, cur, categorical=cat)
        t_ours = time.perf_counter() - t0
    with PeakRss() as m_ev:
        t0 = time.perf_counter()
        ev = drift_evidently.scores(drift_evidently.run_preset(ref, cur, numeric=num, categorical=cat))
        t_ev = time.perf_counter() - t0
    same = all(ev[r["column"]].drifted == r["drifted"] for r in ours.iter_rows(named=True))
    worst = max(abs((r["p_value"] if r["p_value"] is not None else r["statistic"]) - ev[r["column"]].score)
                / max(abs(ev[r["column"]].score), 1e-300) for r in ours.iter_rows(named=True))
    return [
        f"| compare() vs DataDriftPreset, {n:,} vs {n:,} rows, 20 numeric + 5 categorical "
        f"({int(ours['drifted'].sum())} drifted) | {t_ours * 1000:,.0f} ms, +{m_ours.delta_gib:.2f} GiB "
        f"| {t_ev:,.1f} s, +{m_ev.delta_gib:.2f} GiB | **{t_ev / t_ours:,.0f}x** | verdicts identical: {same}; "
        f"max relative difference {worst:.1e} |"]


def profiles_window(total_rows: int) -> list[str]:
    """Synthetic profiles equivalent to ``total_rows`` prediction rows over 2 years (10 models x 10
    features, 730 days), then drift of one model for the last 30 days vs a 120-day reference."""
    import tempfile

    import pyarrow as pa

    from analytics.drift import monitor as drift_monitor
    from analytics.drift import profiles as drift_profiles
    from analytics.lakehouse import connection, storage

    rng = np.random.default_rng(1)
    root = Path(tempfile.mkdtemp(prefix="bench_drift_"))
    start = date(2024, 11, 1)
    n_models, n_feat, n_days = 10, 10, 730
    per_day = total_rows // (n_models * n_days)
    edges = np.unique(np.quantile(rng.normal(size=100_000), np.arange(1, 50) / 50))
    psi_edges = np.unique(np.quantile(rng.normal(size=100_000), np.arange(1, 10) / 10))
    psi_edges = edges[np.searchsorted(edges, psi_edges).clip(0, edges.size - 1)]
    bins = [{"model_id": f"m{m}", "version": "v1", "source": "features", "feature": f"f{f}", "kind": "numeric",
             "edges": edges.tolist(), "categories": None, "psi_edges": psi_edges.tolist(), "ref_start": start,
             "ref_end": start + timedelta(days=119), "n_ref": per_day * 120, "computed_at": None}
            for m in range(n_models) for f in range(n_feat)]
    storage.atomic_write_parquet(pa.Table.from_pylist(bins, schema=drift_profiles.BINS_SCHEMA),
                                   drift_profiles.bins_dir(root) / "part-0.parquet")
    rows = []
    shares = np.diff(np.concatenate([[0], np.interp(edges, [-4, 4], [0, 1]), [1]]))
    for m in range(n_models):
        for f in range(n_feat):
            counts = rng.multinomial(per_day, shares, size=n_days)
            for d in range(n_days):
                rows.append((f"m{m}", "v1", f"f{f}", start + timedelta(days=d), "numeric", per_day, 0, 0.0,
                             float(per_day), -4.0, 4.0, counts[d].tolist(), (counts[d] * 0.0).tolist()))
    names = drift_profiles.PROFILE_SCHEMA.names
    table = pa.Table.from_pylist([dict(zip(names, r, strict=True)) for r in rows], schema=drift_profiles.PROFILE_SCHEMA)
    storage.atomic_write_parquet(table, root / "_rollups" / "drift_profiles" / "part-0.parquet")
    con = connection.connect(root)
    end = start + timedelta(days=n_days - 1)
    kw = dict(root=str(root), model_id="m3", version="v1", ref_start=start, ref_end=start + timedelta(days=119),
              cur_start=end - timedelta(days=29), cur_end=end)
    drift_monitor.drift_table(con.cursor(), **kw)  # warm: file metadata
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        res = drift_monitor.drift_table(con.cursor(), **kw)
        times.append(time.perf_counter() - t0)
    return [f"| drift from profiles, 30-day window vs 120-day reference, {res.height} features, profiles for "
            f"{total_rows:,} rows ({len(rows):,} profile rows) | median {np.median(times) * 1000:,.0f} ms "
            f"(best {min(times) * 1000:,.0f} ms) | (raw rows never read) | | target < 300 ms |"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=500_000)
    ap.add_argument("--profile-rows", type=int, default=100_000_000)
    args = ap.parse_args()
    lines = ["## Drift (issue 3)", "", f"Machine: {psutil.cpu_count()} cores, run "
             f"{time.strftime('%Y-%m-%d %H:%M')}; one run each, in one process.", "",
             "| case | Scaleboard | Evidently 0.7 | speed-up | agreement |", "|---|---|---|---|---|"]
    lines += engine_vs_evidently(args.rows)
    lines += profiles_window(args.profile_rows)
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(__file__).resolve().parent / "results" / "drift.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    tracemalloc.stop()
    main()
