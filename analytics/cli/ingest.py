"""`scaleboard ingest TABLE FILE...`: validate CSV/Parquet files and load them all, or nothing."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError
from analytics.governance import audit
from analytics.lakehouse.ingest import ingest, ingestible_tables
from analytics.settings import load_settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="load your own CSV or Parquet files into a lakehouse table",
                       description="Validate every file against the table's schema (columns, types, "
                                   "time zones, ranges, enums, keys); load all files or nothing.")
    p.add_argument("table", choices=ingestible_tables(), metavar="TABLE",
                   help="target table: " + ", ".join(ingestible_tables()))
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help=".csv or .parquet files")
    add_root_option(p)
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.add_argument("--allow-extra-columns", action="store_true",
                   help="ignore columns the table does not declare (default: reject them)")
    p.add_argument("--by", default=None, metavar="NAME",
                   help="who is loading, recorded as the actor of checklist, task and regulation events, "
                        "fairness sign-offs and ledger entries, and in the audit log (default: the "
                        "operating-system user); these names are never taken from the file")
    p.add_argument("--max-mb", type=float, default=None, help="largest file accepted in MB "
                   "(default: $SCALEBOARD_MAX_UPLOAD_MB or 200)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    max_mb = args.max_mb if args.max_mb is not None else load_settings().max_upload_mb
    by = (args.by or "").strip()
    if args.by is not None and not by:
        raise InputError("--by needs a name.")
    rep = ingest(root, args.table, args.files, actor=by or audit.cli_actor(), role=None, page="cli",
                 max_bytes=int(max_mb * 1024 * 1024), allow_extra=args.allow_extra_columns,
                 dry_run=args.dry_run)
    for r in rep.recovered:
        print(f"- {r}")
    if rep.already_loaded:
        print(f"{rep.table}: these {rep.rows} rows were loaded by the interrupted run; nothing loaded twice")
        return 0
    verb = "valid (dry run, nothing written)" if args.dry_run else f"loaded into {root}"
    print(f"{rep.table}: {rep.rows} rows from {len(rep.files)} file(s) {verb}")
    for p in rep.written:
        print(f"  {p.relative_to(root)}")
    return 0
