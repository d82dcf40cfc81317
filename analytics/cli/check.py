"""`scaleboard check`: evaluate the quality contracts, append results, exit 1 on a failed check.

Exit codes: 0 = every check passes or only warns; 1 = a fail threshold is breached (or a check
could not be evaluated, or a file of a checked table could not be read: it is skipped and named);
2 = a usage or contract error (nothing written). For schedulers and CI.
With no contract written yet, starting contracts profiled from the data (``scaleboard contracts
init`` writes the same for a steward to edit) are evaluated in memory and nothing is written.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError
from analytics.quality import contracts, runner

MARK = {"pass": "ok  ", "warn": "WARN", "fail": "FAIL", "error": "ERR "}


def _as_of(text: str) -> datetime:
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--as-of {text!r} is not an ISO date or time "
                                         "(e.g. 2026-10-31 or 2026-10-31T06:00)") from None
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def _source(text: str) -> tuple[str, Path]:
    table, sep, path = text.partition("=")
    if not sep or not table or not path:
        raise argparse.ArgumentTypeError(f"--source {text!r} must look like TABLE=PATH")
    return table, Path(path)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="evaluate data-quality contracts; exit 1 when a check fails",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_root_option(p)
    p.add_argument("--contracts", type=Path, default=None,
                   help="folder of <dataset>.yaml contracts (default: <lakehouse>/_config/contracts)")
    p.add_argument("--as-of", type=_as_of, default=None,
                   help="evaluate as of this UTC time (default: now); windows and ages count back from it")
    p.add_argument("--dataset", action="append", default=None, help="only this dataset (repeatable)")
    p.add_argument("--source", action="append", type=_source, default=[], metavar="TABLE=PATH",
                   help="read TABLE from a Parquet/CSV file instead of the lakehouse, e.g. to check a "
                        "file before loading it (repeatable)")
    p.add_argument("--dry-run", action="store_true",
                   help="evaluate and print only: write no results, tasks or alerts")
    p.add_argument("--quiet", action="store_true", help="print only failing checks and the summary")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    overrides = dict(args.source)
    for table, path in overrides.items():
        if not path.is_file():
            raise InputError(f"--source {table}={path}: the file does not exist.")
    folder = args.contracts or contracts.contracts_dir(root)
    if args.contracts is None and (not folder.is_dir() or not any(folder.glob("*.y*ml"))):
        return _run_defaults(root, folder, args, overrides)
    report = runner.run(root, as_of=args.as_of, folder=folder, only=args.dataset,
                        overrides=overrides, write=not args.dry_run)
    return _print(report, args)


def _run_defaults(root: Path, folder: Path, args: argparse.Namespace, overrides: dict) -> int:
    """No contract written yet: profile the data, evaluate those starting contracts in memory (they
    are a steward's draft, so no result, task or alert is written) and say so."""
    import tempfile

    from analytics.lakehouse import connection
    from analytics.quality import profile

    con = connection.connect(root)
    try:
        drafts = profile.starting_contracts(con)
    finally:
        con.close()
    if not drafts:
        raise InputError(f"No contracts in {folder} and no table holds rows to profile.",
                         hint="Load data first (scaleboard ingest), then run scaleboard check again.")
    print(f"No contracts in {folder}: running {len(drafts)} starting contract(s) profiled from the data, "
          "in memory (nothing written). Write them for a steward to edit: scaleboard contracts init")
    with tempfile.TemporaryDirectory() as tmp:
        for ds, text, _ in drafts:
            (Path(tmp) / f"{ds}.yaml").write_text(text)
        report = runner.run(root, as_of=args.as_of, folder=Path(tmp), only=args.dataset,
                            overrides=overrides, write=False)
    return _print(report, args)


def _print(report, args: argparse.Namespace) -> int:
    for r in report.results:
        if args.quiet and r.status in ("pass", "warn"):
            continue
        print(f"{MARK[r.status]} {r.check.dataset_id}/{r.check.check_id}: {r.message}")
    for p in report.problems:  # the checks ran on the readable files; these were left out
        print(f"{MARK['error']} {p}; restore the file from a backup or delete it (scaleboard doctor lists it)")
    counts = {s: sum(r.status == s for r in report.results) for s in MARK}
    print(f"{len(report.results)} checks as of {report.as_of:%Y-%m-%d %H:%M} UTC: "
          + ", ".join(f"{n} {s}" for s, n in counts.items())
          + (f"; run {report.run_id}, {len(report.task_events)} task change(s), {report.n_alerts} alert(s)"
             if report.run_id else "; dry run, nothing written"))
    return report.exit_code
