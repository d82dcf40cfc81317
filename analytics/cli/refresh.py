"""`scaleboard refresh`: bring every rollup up to date (only new partitions). Unreadable source files
are skipped and listed (exit 0: every rollup stays readable)."""

from __future__ import annotations

import argparse

from analytics import pipeline
from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("refresh", help="update rollups incrementally from new partitions")
    add_root_option(p)
    p.add_argument("--full", action="store_true", help="rebuild every rollup from scratch")
    p.add_argument("--only", nargs="*", help="rollup names to refresh (default: all)")
    p.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                   help="what computes the rollups (spark: PySpark and Java 17; same parts and state)")
    p.add_argument("--master", help="Spark master URL with --engine spark (default local[*], or spark-submit's)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    if args.master and args.engine != "spark":
        raise InputError("--master needs --engine spark")
    done = pipeline.refresh(root, full=args.full, only=args.only, engine=args.engine, master=args.master)
    changed = [r for r in done.rollups if r.new_files or r.rebuilt or r.kept]
    for rep in changed:  # only what changed: a scheduled run with nothing new prints one line
        how = "kept" if rep.kept else "rebuilt" if rep.rebuilt else "incremental"
        print(f"{rep.name:<32} {how:<11} new files {rep.new_files:>5}  rows {rep.rows_written:>9}  "
              f"{rep.seconds:6.2f}s")
    took = sum(r.seconds for r in done.rollups)
    if not changed:
        print(f"{len(done.rollups)} rollups up to date ({took:.1f}s); nothing new to read.")
    print("drift, performance and experiment value: " + (
        "evaluated" if done.evaluated else "unchanged since the last refresh (skipped)"))
    problems = [f"{rep.name}: {p}" for rep in done.rollups for p in rep.problems]
    if problems:  # the refresh went on; what it could not read stays readable as before
        print("\nSome source files could not be read:")
        for p in problems:
            print(f"- {p}")
    return 0
