"""`scaleboard doctor`: list what is wrong with the lakehouse (exit 1 when anything is);
`--repair` finishes or rolls back ingests that a crash interrupted."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.lakehouse import connection, ingest, refresh, storage
from analytics.lakehouse.schema import TABLES


def damaged_files(root: Path) -> list[str]:
    """Every table file and live rollup part whose data pages cannot be read, as sentences.

    Reads each file whole (``storage.check_file``): a footer can be intact over a corrupt page."""
    found = []
    folders = [(name, storage.data_files(root / name)) for name in TABLES]
    folders += [(f"rollup {name}", parts) for name, parts in refresh.live_parts_by_rollup(root).items()]
    for what, files in folders:
        for p in files:
            try:
                why = storage.check_file(p)
            except FileNotFoundError:  # removed meanwhile (compaction, cleanup)
                continue
            if why:
                found.append(f"{what}: unreadable file {p.name} in {p.parent.relative_to(root)} ({why}); "
                             "readers skip it. "
                             "Restore it from a backup, or delete it to drop its rows, then run "
                             "`scaleboard refresh`.")
    return found


def interrupted_ingests(root: Path) -> list[str]:
    out = []
    for b in ingest.interrupted(root):
        what = (f"interrupted ingest of {', '.join(b.get('sources', [])) or 'unknown files'} into "
                f"'{b.get('table', '?')}' (batch {b['batch']})")
        if b["visible"]:
            out.append(f"An {what} was published whole but not tidied; `scaleboard doctor --repair` "
                       "finishes it.")
        else:
            out.append(f"An {what} is not visible to readers; `scaleboard doctor --repair` rolls it "
                       "back, then load the files again.")
    return out


def diagnose(root: Path) -> list[str]:
    """Plain sentences, one per problem: missing root, unreadable files (every data page is read),
    interrupted ingests, empty lakehouse."""
    if not root.exists():
        return [f"The lakehouse folder {root} does not exist (create it with `scaleboard demo` or "
                "`scaleboard ingest`)."]
    if not root.is_dir():
        return [f"The lakehouse path {root} is not a folder."]
    found: list[str] = []
    con = connection.connect(root)
    try:  # unreadable footers and rollups, as every reader meets them
        found += [p for p in connection.problems(con) if "unreadable file" not in p]
    finally:
        con.close()
    found += damaged_files(root)
    found += interrupted_ingests(root)
    empty = [name for name in TABLES if not storage.data_files(root / name)]
    if len(empty) == len(TABLES):
        found.append("The lakehouse holds no data yet.")
    return found


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("doctor", help="list lakehouse problems (unreadable files, interrupted loads)")
    add_root_option(p)
    p.add_argument("--repair", action="store_true",
                   help="finish (when it was published whole) or roll back (when it never became "
                        "visible) every ingest a crash interrupted, then list what is left")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    root = root_of(args)
    if args.repair and root.is_dir():
        done = ingest.repair(root)
        if done is None:
            print("- An ingest is running now; run `scaleboard doctor --repair` when it has ended.")
        for r in done or []:
            print(f"- repaired: {r}")
    found = diagnose(root)
    for line in found:
        print(f"- {line}")
    empty = [name for name in TABLES if root.is_dir() and not storage.data_files(root / name)]
    if empty and len(empty) < len(TABLES):
        print(f"(tables with no rows yet: {', '.join(empty)})")
    if not found:
        print(f"{root}: no problems found")
    return 1 if found else 0
