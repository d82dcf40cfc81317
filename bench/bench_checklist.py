"""Benchmark of the readiness checklist: write latency, read time with many small event files versus
after `compact`, and the evidence queries on a demo lakehouse.

    .venv/bin/python -m bench.bench_checklist [--lakehouse /tmp/ck_lake] [--events 2000]

Prints a markdown section and writes it to bench/results/checklist.md. Works on a copy of the
lakehouse (the given one is never written).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from analytics.lakehouse import connection, storage
from analytics.readiness import compact, evidence, items, record, summary
from analytics.readiness import state as checklist_state

OUT = Path(__file__).resolve().parent / "results" / "checklist.md"


def _timed(fn, repeat: int = 5) -> float:
    """Median wall time in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def _read(root: Path) -> None:
    con = connection.connect(root)
    try:
        summary.readiness_summary(con)
        evidence.board(con)
    finally:
        con.close()


def _writes(root: Path, n: int) -> list[float]:
    """Milliseconds per ``set_item`` for n sequential changes, sorted."""
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        record.set_item(root, items.ITEM_IDS[i % 7], actor=f"bench{i % 5}", note=f"note {i}", status=items.STATUSES[i % 4])
        out.append((time.perf_counter() - t0) * 1000)
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lakehouse", type=Path, default=None, help="demo lakehouse to copy (default: empty)")
    ap.add_argument("--events", type=int, default=2000, help="events written one file each")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_ck_")) / "lakehouse"
    if args.lakehouse:
        shutil.copytree(args.lakehouse, work)
    else:
        work.mkdir(parents=True)
    rows: list[tuple[str, str]] = []
    try:
        auto = record.AUTO_COMPACT_FILES
        record.AUTO_COMPACT_FILES = None  # first without automatic compaction: what many files cost
        writes = _writes(work, args.events)
        n_files = len(storage.data_files(work / "checklist_events"))
        rows.append((f"write one change (set_item), median / p95 of {args.events}, no auto-compaction",
                     f"{statistics.median(writes):.1f} / {writes[int(0.95 * len(writes))]:.1f} ms"))
        rows.append((f"connect + readiness_summary + board, {n_files} event files",
                     f"{_timed(lambda: _read(work)):.0f} ms"))
        t0 = time.perf_counter()
        rep = compact.compact(work)
        rows.append((f"compact {rep.files_before} files ({rep.events} events) into 1",
                     f"{(time.perf_counter() - t0) * 1000:.0f} ms"))
        rows.append(("connect + readiness_summary + board, 1 event file", f"{_timed(lambda: _read(work)):.0f} ms"))
        record.AUTO_COMPACT_FILES = auto
        writes = _writes(work, args.events)
        n_files = len(storage.data_files(work / "checklist_events"))
        rows.append((f"write one change with auto-compaction past {auto} files: median / p95 / max",
                     f"{statistics.median(writes):.1f} / {writes[int(0.95 * len(writes))]:.1f} / "
                     f"{writes[-1]:.0f} ms"))
        rows.append((f"connect + readiness_summary + board, {n_files} event file(s) after that",
                     f"{_timed(lambda: _read(work)):.0f} ms"))
        con = connection.connect(work)
        try:
            rows.append(("evidence (5 queries) on an open connection",
                         f"{_timed(lambda: evidence.evidence(con), 10):.1f} ms"))
            rows.append(("state (fold of all events) on an open connection",
                         f"{_timed(lambda: checklist_state.state(con), 10):.1f} ms"))
        finally:
            con.close()
    finally:
        shutil.rmtree(work.parent, ignore_errors=True)
    src = f"demo lakehouse copy of `{args.lakehouse}`" if args.lakehouse else "empty lakehouse"
    text = "\n".join([
        "## Readiness checklist (`bench/bench_checklist.py`)", "",
        f"{args.events} events on a {src}; wall time on the shared 2-core machine.", "",
        "| operation | time |", "|---|---|", *[f"| {a} | {b} |" for a, b in rows], ""])
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)


if __name__ == "__main__":
    main()
