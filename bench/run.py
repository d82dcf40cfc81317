"""Benchmark suite entry (`make bench`, `make bench-full`).

For each size: build a demo lakehouse (cached under bench/.work/), time the rollup build and an
incremental refresh, time every overview query cold (fresh process) and warm, compare with a plain
DuckDB scan of the raw logs (the floor) and pandas read_parquet + groupby (the typical approach), and
measure the real server: time until the overview's metrics are visible in Chromium and the server's
RSS. Writes bench/results/overview.md, then assembles bench/RESULTS.md from bench/results/*.md.
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

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
WORK = HERE / ".work"
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
END = "2026-10-31"
WINDOW = ("2025-11-01", END)


def sh(*args: str, env: dict | None = None) -> str:
    res = subprocess.run(args, cwd=PROJECT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if res.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{res.stdout}\n{res.stderr}")
    return res.stdout


def timed(*args: str, env: dict | None = None) -> float:
    t0 = time.perf_counter()
    sh(*args, env=env)
    return time.perf_counter() - t0


def build(size: int) -> tuple[Path, dict]:
    root = WORK / f"p{size}" / "lakehouse"
    facts: dict = {}
    if not (root.parent / "built").exists():
        shutil.rmtree(root.parent, ignore_errors=True)
        root.parent.mkdir(parents=True)
        facts["generate_s"] = timed(str(BIN / "scaleboard"), "demo", "--out", str(root), "--seed", "42",
                                    "--predictions", str(size), "--end", END, "--no-refresh")
        (root.parent / "built").write_text(json.dumps(facts))
    facts = json.loads((root.parent / "built").read_text())
    # initial rollup build without the newest month, then the incremental refresh that adds it
    months = sorted((root / "predictions").glob("month=*"))
    held = root.parent / "held"
    shutil.rmtree(held, ignore_errors=True)
    held.mkdir()
    newest = months[-1]
    shutil.move(str(newest), held / newest.name)
    facts["refresh_full_s"] = timed(str(BIN / "scaleboard"), "refresh", "--full", "--lakehouse", str(root))
    shutil.move(str(held / newest.name), str(newest))
    facts["refresh_incremental_s"] = timed(str(BIN / "scaleboard"), "refresh", "--lakehouse", str(root))
    facts["predictions_bytes"] = sum(p.stat().st_size for p in (root / "predictions").rglob("*.parquet"))
    facts["rollup_bytes"] = sum(p.stat().st_size for p in (root / "_rollups").rglob("*.parquet"))
    return root, facts


def probe(root: Path) -> dict:
    return json.loads(sh(str(BIN / "python"), "-m", "bench.overview_probe", str(root), *WINDOW))


def baseline(kind: str, root: Path) -> dict:
    return json.loads(sh(str(BIN / "python"), "-m", "bench.baselines", kind, str(root)))


def server(root: Path) -> dict:
    from bench.server_probe import measure

    return measure(root)


def fmt_s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x * 1000:,.0f} ms" if x < 10 else f"{x:,.1f} s"


def section(results: list[dict], measured_at: datetime | None = None) -> str:
    lines = ["## Executive overview (issue 2)", "", machine(measured_at), "",
             "Window: 12 months ending " + END + ". The page makes three calls: `overview.snapshot` (every "
             "figure that depends on the filters; its queries run side by side on their own cursors), "
             "`checklist.readiness_summary` and the sidebar's `portfolio.filter_options`. **Cold** = opening "
             "the lakehouse (views over every file) plus those calls, the first in a fresh process. **Warm** = "
             "what a filter change on a warm connection recomputes: the snapshot (readiness and the filter "
             "options do not depend on the filters and stay in Streamlit's result cache until the lakehouse "
             "changes, which also reopens the connection, i.e. the cold case). *All calls again* = the page's "
             "three calls repeated with nothing cached, a state the app is never in, shown for completeness. "
             "Warm figures are medians of 7. The floor and pandas compute predictions per model and month "
             "straight from the raw prediction logs.", "",
             "| predictions | generate | rollups: full build | rollups: incremental (1 new month) | "
             "overview cold (open + queries) | overview warm (filter change) | all calls again, uncached | "
             "DuckDB raw scan cold / warm (floor) | pandas read+groupby / peak RSS | "
             "server: overview metrics visible / RSS |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        f, p, d, pd_, s = r["facts"], r["probe"], r["duckdb"], r["pandas"], r["server"]
        lines.append(
            f"| {r['size']:,} | {fmt_s(f.get('generate_s'))} | {fmt_s(f['refresh_full_s'])} | "
            f"{fmt_s(f['refresh_incremental_s'])} | {fmt_s(p['cold_total_s'])} "
            f"({fmt_s(p['connect_s'])} + {fmt_s(p['page_cold_s'])}) | {fmt_s(p['filter_change_warm_s'])} | "
            f"{fmt_s(p['page_warm_s'])} | {fmt_s(d['cold_s'])} / {fmt_s(d['warm_s'])} | "
            + (f"{fmt_s(pd_['cold_s'])} / {pd_['peak_rss_mib']:,.0f} MiB" if pd_ else "skipped")
            + f" | {fmt_s(s.get('metrics_visible_s'))} / {s.get('rss_mib', 0):,.0f} MiB |")
    notes = [f"{r['size']:,} rows: {r['facts']['note']}" for r in results if r["facts"].get("note")]
    if notes:
        lines += ["", "Notes: " + "; ".join(notes) + " (bench/results/demo.md measures the generator itself)."]
    lines += ["", "In the browser (real `streamlit run` server started fresh, Chromium; the overview's first load "
              "is timed from clicking *Sign in* after 3 s on the sign-in form, during which the server warms up; "
              "cold = first visit, the queries run; warm = a revisit, as users meet it, with Streamlit's result "
              "cache). One run per cell; page times include the browser drawing charts and tables, which "
              "is why a revisit can take longer than a first visit:", "",
              "| predictions | overview first load | overview revisit | Adoption cold / warm | "
              "Value & ROI cold / warm | server RSS |", "|---|---|---|---|---|---|"]
    for r in results:
        s = r["server"]
        if s:
            lines.append(f"| {r['size']:,} | {fmt_s(s['metrics_visible_s'])} | {fmt_s(s['overview_warm_s'])} | "
                         f"{fmt_s(s['adoption_cold_s'])} / {fmt_s(s['adoption_warm_s'])} | "
                         f"{fmt_s(s['roi_cold_s'])} / {fmt_s(s['roi_warm_s'])} | {s['rss_mib']:,.0f} MiB |")
    lines += ["", "Each function alone, warm, one after another (for diagnosis; the snapshot runs the first seven "
              "side by side):", "", "| function | " + " | ".join(f"{r['size']:,}" for r in results) + " |",
              "|---|" + "---|" * len(results)]
    for q in results[0]["probe"]["queries"]:
        cells = [fmt_s(r["probe"]["queries"][q]["warm_s"]) for r in results]
        lines.append(f"| {q} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def machine(measured_at: datetime | None = None) -> str:
    import psutil

    mem = psutil.virtual_memory().total / 2**30
    return (f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}. "
            f"Measured {measured_at or datetime.now(UTC):%Y-%m-%d %H:%M} UTC.")


def assemble() -> None:
    parts = ["# Benchmark results", "", "Produced by `make bench` / `make bench-full` (bench/run.py and the "
             "bench_*.py scripts); every number below was measured, none is typed in.", ""]
    # the executive overview (issue 2) first, then each capability's own benchmark
    for f in sorted(RESULTS.glob("*.md"), key=lambda p: (p.stem != "overview", p.stem)):
        parts.append(f.read_text().strip() + "\n")
    (HERE / "RESULTS.md").write_text("\n".join(parts))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", nargs="+", type=int, default=[10_000_000])
    ap.add_argument("--no-pandas-above", type=int, default=200_000_000)
    ap.add_argument("--no-server", action="store_true")
    ap.add_argument("--render", type=Path, help="rebuild the results from the JSON lines of an earlier run's log")
    args = ap.parse_args()
    if args.render:
        rows = [json.loads(line) for line in args.render.read_text().splitlines() if line.startswith('{"size"')]
        finished = datetime.fromtimestamp(args.render.stat().st_mtime, UTC)
        (RESULTS / "overview.md").write_text(section(rows, finished))
        assemble()
        return
    results = []
    for size in args.sizes:
        print(f"== {size:,} predictions", flush=True)
        root, facts = build(size)
        print("built", facts, flush=True)
        r = {"size": size, "facts": facts, "probe": probe(root), "duckdb": baseline("duckdb", root),
             "pandas": baseline("pandas", root) if size <= args.no_pandas_above else None,
             "server": {} if args.no_server else server(root)}
        print(json.dumps(r, default=str), flush=True)
        results.append(r)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "overview.md").write_text(section(results))
    assemble()
    print((HERE / "RESULTS.md").read_text())


if __name__ == "__main__":
    main()
