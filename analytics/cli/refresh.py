"""`scaleboard refresh`: bring every rollup up to date (only new partitions)."""

from __future__ import annotations

import argparse

from analytics import pipeline
from analytics.cli.common import add_root_option, root_of


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refresh", help="update rollups incrementally from new partitions")
    add_root_option(p)
    p.add_argument("--full", action="store_true", help="rebuild every rollup from scratch")
    p.add_argument("--only", nargs="*", help="rollup names to refresh (default: all)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    done = pipeline.refresh(root, full=args.full, only=args.only)
    changed = [r for r in done.rollups if r.new_files or r.rebuilt]
    for rep in changed:  # only what changed: a scheduled run with nothing new prints one line
        how = "rebuilt" if rep.rebuilt else "incremental"
        print(f"{rep.name:<32} {how:<11} new files {rep.new_files:>5}  rows {rep.rows_written:>9}  "
              f"{rep.seconds:6.2f}s")
    took = sum(r.seconds for r in done.rollups)
    if not changed:
        print(f"{len(done.rollups)} rollups up to date ({took:.1f}s); nothing new to read.")
    print("drift, performance and experiment value: " + (
        "evaluated" if done.evaluated else "unchanged since the last refresh (skipped)"))
    return 0
