"""Benchmark: the overview cold and warm on the same lakehouse in a local folder and on an
S3-compatible server (moto in server mode on 127.0.0.1; a real S3 bucket adds network latency).

The demo lakehouse is generated and refreshed locally once per size, uploaded unchanged to the
server, and the overview probe (bench/overview_probe.py: connection open + the page's three calls
cold in a fresh process, then the filter change warm, median of 7) runs against each. Writes
bench/results/object_store.md with the machine's load average (the machine is shared).

Usage: python -m bench.bench_object_store [--sizes 1000000 10000000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
OUT = PROJECT / "bench" / "results" / "object_store.md"
END = date(2026, 10, 31)
BUCKET = "scaleboard-bench"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _probe(root: str, env: dict) -> dict:
    start = END.replace(year=END.year - 1)
    out = subprocess.run([sys.executable, "-m", "bench.overview_probe", root, str(start), str(END)],
                         cwd=PROJECT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000])
    args = ap.parse_args()
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}")
    os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                                           "AWS_ENDPOINT_URL")})
    import boto3

    from analytics.lakehouse.objectstore import locate, upload_tree

    boto3.client("s3").create_bucket(Bucket=BUCKET)
    rows = []
    load_before = os.getloadavg()
    try:
        for n in args.sizes:
            with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp:
                local = Path(tmp) / "lakehouse"
                t0 = time.perf_counter()
                subprocess.run([str(Path(sys.executable).parent / "scaleboard"), "demo", "--out", str(local),
                                "--predictions", str(n), "--end", str(END)], cwd=PROJECT, env=env, check=True,
                               capture_output=True)
                built = time.perf_counter() - t0
                url = f"s3://{BUCKET}/demo-{n}"
                t0 = time.perf_counter()
                files = upload_tree(local, locate(url))  # type: ignore[arg-type]
                uploaded = time.perf_counter() - t0
                size_mib = sum(p.stat().st_size for p in local.rglob("*") if p.is_file()) / 2**20
                results = {"local": _probe(str(local), env), "s3": _probe(url, env)}
                rows.append((n, built, files, size_mib, uploaded, results, os.getloadavg()))
                print(n, json.dumps(results), flush=True)
    finally:
        server.stop()
    _write(rows, load_before)


def _ms(s: float) -> str:
    return f"{s * 1000:,.0f} ms"


def _write(rows: list, load_before: tuple) -> None:
    lines = [
        "## The lakehouse on object storage (issue 18)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Linux {platform.release()}. Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on a **shared** machine: "
        f"load average {load_before[0]:.1f} / {load_before[1]:.1f} / {load_before[2]:.1f} (1/5/15 min) at the start "
        "(2 cores: figures are inflated by other work; compare the two columns of a row, not across reports).",
        "",
        "The same demo lakehouse (generated and refreshed locally, then uploaded unchanged) read from a local "
        "folder and from an S3-compatible server (moto in server mode on 127.0.0.1, so no network latency: a "
        "real bucket adds a round trip per request). **Cold** = a fresh process opening the lakehouse (listing "
        "and a footer read per file, one view per table) plus the overview's three calls; **warm** = a filter "
        "change on the open connection (median of 7). Reads go through DuckDB with the fsspec filesystem "
        "registered on the connection.",
        "",
        "| predictions | files / MiB | upload | where | open | overview cold (open + calls) | overview warm | load avg after |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, _built, files, mib, up, res, load in rows:
        for where in ("local", "s3"):
            r = res[where]
            lines.append(f"| {n:,} | {files} / {mib:,.0f} | {up:.1f} s | {'local folder' if where == 'local' else 'S3 (moto)'} "
                         f"| {_ms(r['connect_s'])} | {_ms(r['cold_total_s'])} ({_ms(r['connect_s'])} + "
                         f"{_ms(r['page_cold_s'])}) | {_ms(r['filter_change_warm_s'])} | {load[0]:.1f} |")
    lines += ["", "Run: `python -m bench.bench_object_store --sizes 1000000 10000000`.", ""]
    OUT.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
