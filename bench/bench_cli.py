"""CLI speed (issue 16): `scaleboard --help`, a 5-row ingest, and 1M rows of CSV through
`scaleboard ingest`, each as a fresh process the way a user runs it (wall time, start-up included).

    .venv/bin/python -m bench.bench_cli [--rows 1000000] [--repeat 5]

Targets: help < 0.5 s, 5-row ingest < 2 s, >= 200k rows/s. Prints a markdown section and writes it
to bench/results/cli.md. Python's byte-code cache is used as an installed package has it (a run
with PYTHONDONTWRITEBYTECODE and no cache compiles every module on each start: seconds, not code).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXE = Path(sys.executable).with_name("scaleboard")
MODELS = "model_id,name,business_unit,stage,task\nm1,Churn,Retail,production,classification\n"


CPU: list[float] = []  # CPU seconds (user + system) of each timed process: less hostage to a busy machine


def _timed(args: list[str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run([str(EXE), *args], capture_output=True, text=True)
    took = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"scaleboard {' '.join(args)} failed: {done.stderr}")
    return took


def _big_csv(path: Path, n: int) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(16)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    pl.DataFrame({
        "prediction_at": pl.Series([start + timedelta(seconds=int(s)) for s in rng.integers(0, 29 * 86400, n)])
        .dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "model_id": ["m1"] * n, "version": ["v1"] * n, "request_id": [f"b-{i}" for i in range(n)],
        "user_id": [f"u{i % 500}" for i in range(n)], "team": ["t1"] * n, "country": ["DE"] * n,
        "score": rng.random(n).round(4), "latency_ms": rng.gamma(2, 20, n).round(2)}).write_csv(path)


def run(rows: int, repeat: int) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "models.csv").write_text(MODELS)
        five = "request_id,prediction_at,model_id,score\n" + "".join(
            f"r{i},2026-10-0{i}T10:00:00Z,m1,0.{i}\n" for i in range(1, 6))
        (tmp / "p5.csv").write_text(five)
        helps = [_timed(["--help"]) for _ in range(repeat)]
        help_cpu = statistics.median(CPU[-repeat:])
        small, small_cpu = [], []
        for i in range(repeat):
            lake = tmp / f"lake{i}"
            _timed(["ingest", "models", str(tmp / "models.csv"), "--lakehouse", str(lake)])
            small.append(_timed(["ingest", "predictions", str(tmp / "p5.csv"), "--lakehouse", str(lake)]))
            small_cpu.append(CPU[-1])
        _big_csv(tmp / "big.csv", rows)
        mb = (tmp / "big.csv").stat().st_size / 1e6
        big = _timed(["ingest", "predictions", str(tmp / "big.csv"), "--lakehouse", str(tmp / "lake0"),
                      "--max-mb", "10000"])
        big_cpu = CPU[-1]
    h, s = statistics.median(helps), statistics.median(small)
    rate = rows / big
    ok = {True: "yes", False: "**no**"}
    return "\n".join([
        "## CLI speed (issue 16)", "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (load average "
        f"{os.getloadavg()[0]:.1f} at the end), Python {platform.python_version()}. Measured "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `python -m bench.bench_cli`; each figure is a fresh "
        f"`scaleboard` process, wall time including start-up; medians of {repeat}.", "",
        "| measure | wall | CPU (user + sys) | target (wall) | met |", "|---|---:|---:|---:|---|",
        f"| `scaleboard --help` | {h:.3f} s | {help_cpu:.3f} s | < 0.5 s | {ok[h < 0.5]} |",
        f"| `scaleboard ingest predictions` 5 rows (validate, publish, audit) | {s:.2f} s | "
        f"{statistics.median(small_cpu):.2f} s | < 2 s | {ok[s < 2]} |",
        f"| `scaleboard ingest predictions` {rows:,} rows of CSV ({mb:.0f} MB), one run | {big:.1f} s = "
        f"{rate:,.0f} rows/s | {big_cpu:.1f} s = {rows / big_cpu:,.0f} rows/s | >= 200,000 rows/s | "
        f"{ok[rate >= 200_000]} |", "",
        f"All runs of help: {', '.join(f'{x:.3f}' for x in helps)} s; of the 5-row ingest: "
        f"{', '.join(f'{x:.2f}' for x in small)} s.", ""])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    text = run(a.rows, a.repeat)
    print(text)
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "cli.md").write_text(text)


if __name__ == "__main__":
    main()
