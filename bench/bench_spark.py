"""Benchmark rollups on Spark (local[*]) against DuckDB on the same demo lakehouse.

For each size: generate the demo (no refresh) with its last month held back, copy it twice, build
every rollup with each engine (a full refresh: nothing rolled up yet), then add the month and refresh
again (incremental: only the new month's files). Each refresh runs in its own process; for Spark the
JVM start is timed apart from the rollups. The rollups of both copies are then checked equal in row
count per rollup (the row-for-row equality is tests/analytics/lakehouse/test_spark_rollups.py).
Writes bench/results/spark.md with the machine's load average (its 2 cores are shared).

    .venv/bin/python bench/bench_spark.py [--sizes 1000000 10000000] [--work /tmp/bench_spark]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results" / "spark.md"
HELD = "month=2026-10"


def child(engine: str, root: Path) -> None:
    """In a fresh process: one rollup refresh with ``engine``; prints JSON timings."""
    from analytics.lakehouse import refresh

    t0 = time.perf_counter()
    if engine == "spark":
        from analytics.lakehouse.spark_engine import SparkEngine

        with SparkEngine() as e:
            started = time.perf_counter() - t0
            t1 = time.perf_counter()
            reps = refresh.refresh(root, compute=e.compute)
            took = time.perf_counter() - t1
    else:
        started, t1 = 0.0, time.perf_counter()
        reps = refresh.refresh(root)
        took = time.perf_counter() - t1
    print(json.dumps({"start_s": started, "rollups_s": took, "new_files": sum(r.new_files for r in reps),
                      "rows": {r.name: r.rows_written for r in reps},
                      "seconds": {r.name: r.seconds for r in reps}}))


def run_child(engine: str, root: Path) -> dict:
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--child", engine, str(root)], capture_output=True,
                          text=True, check=False, cwd=PROJECT)
    if proc.returncode:
        raise SystemExit(f"{engine} refresh failed:\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**out, "wall_s": time.perf_counter() - t0, "load": load}


def rollup_rows(root: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    from analytics.lakehouse.refresh import live_parts_by_rollup

    return {k: sum(pq.read_metadata(p).num_rows for p in v) for k, v in live_parts_by_rollup(root).items()}


def bench_size(n: int, work: Path) -> list[dict]:
    base = work / f"n{n}"
    shutil.rmtree(base, ignore_errors=True)
    gen, held = base / "generated", base / "held"
    subprocess.run([str(PROJECT / ".venv" / "bin" / "scaleboard"), "demo", "--out", str(gen), "--seed", "1",
                    "--predictions", str(n), "--end", "2026-10-31", "--no-refresh"], check=True,
                   capture_output=True)
    for month in sorted(gen.glob(f"*/{HELD}")):
        (held / month.relative_to(gen)).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(month, held / month.relative_to(gen))
    lakes = {"duckdb": base / "duckdb", "spark": base / "spark"}
    for lake in lakes.values():
        shutil.copytree(gen, lake)
    shutil.rmtree(gen)
    rows = []
    for step in ("full", "incremental"):
        if step == "incremental":
            for lake in lakes.values():
                shutil.copytree(held, lake, dirs_exist_ok=True)
        for engine, lake in lakes.items():
            got = run_child(engine, lake)
            rows.append({"n": n, "step": step, "engine": engine, **got})
            print(f"{n:>11,} {step:<11} {engine:<6} rollups {got['rollups_s']:7.1f} s  start {got['start_s']:5.1f} s"
                  f"  wall {got['wall_s']:7.1f} s  files {got['new_files']}  load {got['load']:.2f}", flush=True)
    a, b = rollup_rows(lakes["duckdb"]), rollup_rows(lakes["spark"])
    if a != b:
        raise SystemExit(f"rollup row counts differ at {n}: {a} vs {b}")
    shutil.rmtree(base)
    return rows


def write(rows: list[dict], loads: tuple[tuple[float, ...], tuple[float, ...]]) -> None:
    lines = [
        "## Rollups on Spark against DuckDB (`bench/bench_spark.py`)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.machine()}, {os.cpu_count()} cores shared "
        f"with other jobs: load average (1/5/15 min) {'/'.join(f'{x:.2f}' for x in loads[0])} at the start, "
        f"{'/'.join(f'{x:.2f}' for x in loads[1])} at the end (a load above 2 means the cores were contended, "
        "so every figure is slower than on a quiet machine). Spark runs `local[*]` in one JVM (driver memory "
        "4 GiB); DuckDB in-process. Demo lakehouse with its last month (2026-10) held back: *full* builds every "
        "rollup from the other months, *incremental* then reads only the added month. Rollups only (no drift "
        "alerts); each refresh in its own process. Row counts of every rollup equal between the engines.",
        "",
        "| predictions | refresh | engine | rollups (s) | JVM start (s) | process wall (s) | source files read | load at start |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {r['n']:,} | {r['step']} | {r['engine']} | {r['rollups_s']:.1f} | "
              f"{r['start_s']:.1f} | {r['wall_s']:.1f} | {r['new_files']} | {r['load']:.2f} |" for r in rows]
    names = list(rows[0]["seconds"])
    runs = [r for r in rows if r["n"] == rows[-1]["n"]]
    lines += ["", f"Seconds per rollup at {rows[-1]['n']:,} predictions (`RefreshReport.seconds`, JVM start excluded):",
              "", "| rollup | " + " | ".join(f"{r['step']} {r['engine']}" for r in runs) + " |",
              "|---|" + "---:|" * len(runs)]
    lines += [f"| {name} | " + " | ".join(f"{r['seconds'][name]:.1f}" for r in runs) + " |" for name in names]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench_spark"))
    ap.add_argument("--child", nargs=2, metavar=("ENGINE", "ROOT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    start = os.getloadavg()
    rows: list[dict] = []
    for n in args.sizes:
        rows += bench_size(n, args.work)
        write(rows, (start, os.getloadavg()))  # after each size: a cut-short run keeps what it measured


if __name__ == "__main__":
    main()
