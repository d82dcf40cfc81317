"""`scaleboard demo`: generate the demo lakehouse, then refresh rollups (and post-refresh hooks)."""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path

from analytics import demo, pipeline
from analytics.errors import InputError
from analytics.lakehouse.objectstore import ObjectPath, upload_tree
from analytics.settings import lakehouse_root, load_settings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-10-31") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("demo", help="generate the demo lakehouse (deterministic for a seed)")
    p.add_argument("--out", type=str, default=None,
                   help="lakehouse folder to create (default: $SCALEBOARD_LAKEHOUSE or data/lakehouse)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--predictions", type=int, default=1_000_000,
                   help="prediction rows (default 1,000,000: every page full, every story visible, built in "
                        "seconds; larger on request, up to 2,000,000,000)")
    p.add_argument("--end", type=_date, default=None, help="last day of data, YYYY-MM-DD (default: today UTC)")
    p.add_argument("--feature-rows", type=int, default=None, help="cap on feature rows (long format)")
    p.add_argument("--usage-events", type=int, default=None, help="usage events (default predictions/4)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing, non-empty lakehouse")
    p.add_argument("--no-refresh", action="store_true", help="skip `scaleboard refresh` afterwards")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    out = lakehouse_root(args.out) if args.out else load_settings().lakehouse
    if args.predictions is not None and args.predictions < 1_000:
        raise InputError(f"--predictions must be at least 1,000; got {args.predictions:,}.")
    with tempfile.TemporaryDirectory(prefix="scaleboard-demo-") as tmp:
        # on object storage: built in a local folder, then uploaded object by object
        build = Path(tmp) / "lakehouse" if isinstance(out, ObjectPath) else out
        if isinstance(out, ObjectPath) and out.is_dir() and not args.overwrite:
            raise InputError(f"{out} is not empty; the demo will not write into an existing lakehouse.",
                             hint="Pass --overwrite to replace it, or choose another --out prefix.")
        summary = demo.generate(build, seed=args.seed, predictions=args.predictions, end=args.end,
                                feature_rows=args.feature_rows, usage_events=args.usage_events,
                                overwrite=args.overwrite)
        for line in summary.lines():
            print(line)
        if isinstance(out, ObjectPath):
            t0 = time.perf_counter()
            n = upload_tree(build, out, replace=args.overwrite)
            print(f"uploaded {n} files to {out} in {time.perf_counter() - t0:.1f}s")
    if not args.no_refresh:
        t0 = time.perf_counter()
        reports = pipeline.refresh(out)
        print(f"refreshed {len(reports.rollups)} rollups in {time.perf_counter() - t0:.1f}s")
    # the core lakehouse is usable, but a failed extra is a bug: say so in the exit status
    return 3 if summary.extras_failed else 0
