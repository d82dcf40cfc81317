"""Benchmark the demo generator: wall time, prediction rows/s, CPU time and peak RSS.

Runs `scaleboard demo` in a subprocess (no rollup refresh) at 10M predictions, and with --full also
at 100M, and writes the markdown section to bench/results/demo.md.

    .venv/bin/python bench/bench_demo.py [--full] [--sizes 10000000 ...] [--out-dir /tmp/bench_demo]

Peak RSS is the subprocess's maximum resident set (``resource.getrusage(RUSAGE_CHILDREN)``), so
it covers the generator only. The machine's load average is recorded because the 2 cores are shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results" / "demo.md"


def run_one(n: int, out_dir: Path) -> dict:
    out = out_dir / f"demo_{n}"
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(PROJECT / ".venv" / "bin" / "scaleboard"), "demo", "--out", str(out), "--seed", "1",
         "--predictions", str(n), "--end", "2026-10-31", "--no-refresh"],
        capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"demo failed at {n:,}: {proc.stderr}")
    rows = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == "rows":
            rows[parts[0]] = int(parts[1].replace(",", ""))
    size = sum(p.stat().st_size for p in out.rglob("*.parquet"))
    files = sum(1 for _ in out.rglob("*.parquet"))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    shutil.rmtree(out, ignore_errors=True)
    return {"n": n, "wall": wall, "cpu": cpu, "rss_mib": after.ru_maxrss / 1024, "rows": rows,
            "bytes": size, "files": files, "load": load, "load_after": os.getloadavg()[0]}


def markdown(results: list[dict]) -> str:
    lines = [
        "## Demo generator (`scaleboard demo`, bench/bench_demo.py)",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, "
        f"Python {platform.python_version()}); seed 1, end 2026-10-31, no rollup refresh. The cores are "
        "shared with other work: *load* is the 1-minute load average before/after the run, and "
        "*CPU-bound rows/s* = predictions / (CPU seconds / cores) is what the same work does on an idle "
        "machine of this size.",
        "",
        "| predictions | outcomes | features | usage events | wall s | rows/s (wall) | CPU s | "
        "CPU-bound rows/s | peak RSS | files | on disk | load |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    cores = os.cpu_count() or 1
    for r in results:
        rows = r["rows"]
        lines.append(
            f"| {r['n']:,} | {rows.get('outcomes', 0):,} | {rows.get('features', 0):,} | "
            f"{rows.get('usage_events', 0):,} | {r['wall']:.1f} | {r['n'] / r['wall']:,.0f} | {r['cpu']:.1f} | "
            f"{r['n'] / (r['cpu'] / cores):,.0f} | {r['rss_mib']:,.0f} MiB | {r['files']} | "
            f"{r['bytes'] / 2**30:.2f} GiB | {r['load']:.1f} / {r['load_after']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also run 100M predictions")
    ap.add_argument("--sizes", type=int, nargs="*", help="explicit prediction counts")
    ap.add_argument("--out-dir", type=Path, default=Path("/tmp/bench_demo"))
    args = ap.parse_args()
    sizes = args.sizes or ([10_000_000, 100_000_000] if args.full else [10_000_000])
    args.out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for n in sizes:
        r = run_one(n, args.out_dir)
        print(f"{n:>12,} predictions: {r['wall']:.1f}s wall, {r['n'] / r['wall']:,.0f} rows/s, "
              f"CPU {r['cpu']:.1f}s, peak RSS {r['rss_mib']:,.0f} MiB", flush=True)
        results.append(r)
    text = markdown(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
