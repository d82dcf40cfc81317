"""`scaleboard doctor`: list what is wrong with the lakehouse (exit 1 when anything is)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.lakehouse import connection, storage
from analytics.lakehouse.ingest import STAGING
from analytics.lakehouse.schema import TABLES


def diagnose(root: Path) -> list[str]:
    """Plain sentences, one per problem: missing root, unreadable files, leftover staging, empty tables."""
    if not root.exists():
        return [f"The lakehouse folder {root} does not exist (create it with `scaleboard demo` or "
                "`scaleboard ingest`)."]
    if not root.is_dir():
        return [f"The lakehouse path {root} is not a folder."]
    found: list[str] = []
    con = connection.connect(root)
    try:
        found += connection.problems(con)
    finally:
        con.close()
    staging = root / STAGING
    if staging.is_dir() and any(staging.iterdir()):
        found.append(f"{staging} holds files of an interrupted ingest; they are not visible to readers "
                     "and can be deleted.")
    empty = [name for name in TABLES if not storage.data_files(root / name)]
    if len(empty) == len(TABLES):
        found.append("The lakehouse holds no data yet.")
    return found


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="list lakehouse problems (unreadable files, interrupted loads)")
    add_root_option(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    found = diagnose(root)
    for line in found:
        print(f"- {line}")
    empty = [name for name in TABLES if root.is_dir() and not storage.data_files(root / name)]
    if empty and len(empty) < len(TABLES):
        print(f"(tables with no rows yet: {', '.join(empty)})")
    if not found:
        print(f"{root}: no problems found")
    return 1 if found else 0
