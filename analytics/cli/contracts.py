"""`scaleboard contracts init [--table T]`: profile the data and write a starting contract per
catalogued dataset (or per table) under ``<lakehouse>/_config/contracts/`` for a steward to edit."""

from __future__ import annotations

import argparse

from analytics.cli.common import add_root_option, root_of


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("contracts", help="write starting data-quality contracts profiled from the data",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="profile the tables and write a starting contract per dataset")
    add_root_option(init)
    init.add_argument("--table", action="append", default=None, metavar="T",
                      help="only this table (repeatable; default: every table with rows)")
    init.add_argument("--overwrite", action="store_true",
                      help="replace contracts that exist (default: keep a steward's edits)")
    init.set_defaults(handler=run_init)


def run_init(args: argparse.Namespace) -> int:
    from analytics.errors import InputError
    from analytics.lakehouse import connection
    from analytics.lakehouse.schema import TABLES
    from analytics.quality import profile

    root = root_of(args)
    unknown = sorted(set(args.table or ()) - set(TABLES))
    if unknown:
        raise InputError(f"Unknown table(s) {', '.join(unknown)}; known: {', '.join(sorted(TABLES))}.")
    con = connection.connect(root)
    try:
        done = profile.write_contracts(root, con, only=args.table, overwrite=args.overwrite)
    finally:
        con.close()
    if not done:
        raise InputError("No table holds rows to profile" + (f" among {', '.join(args.table)}" if args.table else "")
                         + "; load data first (scaleboard ingest).")
    for path, written in done:
        print(f"{'wrote' if written else 'kept (exists; --overwrite replaces it)'} {path.relative_to(root)}")
    print("Review the thresholds and allowed values, then run: scaleboard check")
    return 0
