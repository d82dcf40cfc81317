"""`scaleboard checklist`: the readiness checklist from the command line.

    scaleboard checklist list [--csv]
    scaleboard checklist set ITEM --status STATUS --by USER [--note TEXT] [--evidence URL] [--due DATE]
                             [--owner NAME]
    scaleboard checklist history [ITEM]
    scaleboard checklist add TITLE --owner ROLE --by USER [--due DATE]
    scaleboard checklist retire ITEM --by USER [--restore]
    scaleboard checklist template list | add ID --item "Title=Owner" ... --by USER | apply ID --by USER
                                       | retire ID --by USER
    scaleboard checklist compact

Unknown items, statuses or dates are reported in one sentence and nothing is written (exit 2).
"""

from __future__ import annotations

import argparse
import sys

import polars as pl

from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError
from analytics.readiness import compact, evidence, items, record
from analytics.readiness import state as checklist_state


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("checklist", help="readiness checklist: list, set, history, templates, compact")
    cmds = p.add_subparsers(dest="checklist_command", metavar="ACTION", required=True)

    c = cmds.add_parser("list", help="current state of every item with its live evidence")
    c.add_argument("--csv", action="store_true", help="print CSV instead of a table")
    c.set_defaults(handler=run_list)

    c = cmds.add_parser("set", help="change an item (at least one of status/owner/due/evidence/note)")
    c.add_argument("item")
    c.add_argument("--status", choices=None, help=f"one of {', '.join(items.STATUSES)}")
    c.add_argument("--by", required=True, help="who makes the change")
    c.add_argument("--note")
    c.add_argument("--evidence", help="evidence link (http/https); empty text clears it")
    c.add_argument("--due", help="due date YYYY-MM-DD (\"\" clears it)")
    c.add_argument("--owner")
    c.set_defaults(handler=run_set)

    c = cmds.add_parser("history", help="every change, oldest first (one item or all)")
    c.add_argument("item", nargs="?")
    c.set_defaults(handler=run_history)

    c = cmds.add_parser("add", help="add a custom item")
    c.add_argument("title")
    c.add_argument("--owner", required=True, help="owner role, e.g. 'Compliance Officer'")
    c.add_argument("--by", required=True)
    c.add_argument("--due")
    c.add_argument("--id", dest="item_id", help="item id (default: derived from the title)")
    c.set_defaults(handler=run_add)

    c = cmds.add_parser("retire", help="retire an item (history stays); --restore brings it back")
    c.add_argument("item")
    c.add_argument("--by", required=True)
    c.add_argument("--restore", action="store_true")
    c.set_defaults(handler=run_retire)

    c = cmds.add_parser("template", help="checklist templates: list, add, apply, retire")
    c.add_argument("action", choices=("list", "add", "apply", "retire"))
    c.add_argument("template_id", nargs="?")
    c.add_argument("--item", action="append", default=[], help="'Title=Owner role' (repeat; for add)")
    c.add_argument("--by")
    c.set_defaults(handler=run_template)

    c = cmds.add_parser("compact", help="fold the small event files into one (state and history unchanged)")
    c.add_argument("--grace", type=float, default=compact.COMPACT_GRACE_SECONDS, metavar="SECONDS",
                   help="keep folded files readable this long for readers that already listed them; "
                        "they are deleted by a later compaction (default %(default)s)")
    c.set_defaults(handler=run_compact)

    for c in cmds.choices.values():
        add_root_option(c)


def _print(df: pl.DataFrame, csv: bool = False) -> None:
    if csv:
        sys.stdout.write(df.write_csv())
        return
    with pl.Config(tbl_rows=-1, tbl_cols=-1, tbl_width_chars=200, fmt_str_lengths=80,
                   tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(df)


def _audit(root, actor: str, action: str, target: str, detail: str) -> None:
    from analytics.governance import audit  # the shared audit log (who changed what, from where)

    audit.record(root, actor=actor, action=action, target=target, page="cli", detail=detail)


def _lake(args):
    from analytics.lakehouse import connection

    return connection.connect(root_of(args))


def run_list(args: argparse.Namespace) -> int:
    con = _lake(args)
    try:
        board = evidence.board(con)
    finally:
        con.close()
    out = board.select("item_id", "status", "computed_status", "owner", "due_date", "is_overdue",
                       "is_disagreement", "updated_by", *(["evidence"] if args.csv else []))
    _print(out, args.csv)
    return 0


def run_set(args: argparse.Namespace) -> int:
    root = root_of(args)
    fields = {"status": args.status, "note": args.note, "evidence_url": args.evidence,
              "due_date": args.due, "owner": args.owner}
    fields = {k: v for k, v in fields.items() if v is not None}
    event_id = record.set_item(root, args.item, actor=args.by, **fields)
    _audit(root, args.by, "checklist.set", args.item, ", ".join(f"{k}={v}" for k, v in fields.items()))
    print(f"{args.item}: recorded {', '.join(fields)} (event {event_id})")
    return 0


def run_history(args: argparse.Namespace) -> int:
    con = _lake(args)
    try:
        if args.item and args.item not in set(checklist_state.state(con, include_retired=True)["item_id"]):
            raise InputError(f"Unknown checklist item '{args.item}'. Run `scaleboard checklist list`.")
        hist = checklist_state.history(con, args.item)
    finally:
        con.close()
    _print(hist.drop("event_id"))
    return 0


def run_add(args: argparse.Namespace) -> int:
    root = root_of(args)
    iid = record.add_item(root, args.title, args.owner, actor=args.by, item_id=args.item_id, due_date=args.due)
    _audit(root, args.by, "checklist.add", iid, args.title)
    print(f"added {iid}")
    return 0


def run_retire(args: argparse.Namespace) -> int:
    root = root_of(args)
    record.retire_item(root, args.item, actor=args.by, retired=not args.restore)
    _audit(root, args.by, "checklist.restore" if args.restore else "checklist.retire", args.item, "")
    print(f"{'restored' if args.restore else 'retired'} {args.item}")
    return 0


def run_template(args: argparse.Namespace) -> int:
    root = root_of(args)
    if args.action == "list":
        con = _lake(args)
        try:
            _print(checklist_state.templates(con))
        finally:
            con.close()
        return 0
    if not args.template_id or not args.by:
        raise InputError(f"`template {args.action}` needs a template id and --by USER.")
    if args.action == "add":
        template_items = []
        for spec in args.item:
            title, sep, owner = spec.partition("=")
            if not sep or not title.strip() or not owner.strip():
                raise InputError(f"Template item '{spec}' must read 'Title=Owner role'.")
            template_items.append((title.strip(), owner.strip()))
        record.add_template(root, args.template_id, template_items, actor=args.by)
        print(f"template {args.template_id}: {len(template_items)} items")
    elif args.action == "apply":
        added = record.apply_template(root, args.template_id, actor=args.by)
        print(f"added {', '.join(added) or 'nothing (all items present)'}")
    else:
        n = record.retire_template(root, args.template_id, actor=args.by)
        print(f"retired template {args.template_id} ({n} items)")
    _audit(root, args.by, f"checklist.template.{args.action}", args.template_id, "")
    return 0


def run_compact(args: argparse.Namespace) -> int:
    rep = compact.compact(root_of(args), grace_seconds=args.grace)
    if rep.path is None:
        print(f"nothing to compact ({rep.files_before} file(s))")
    else:
        print(f"folded {rep.files_before} files into {rep.path.name} ({rep.events} events)")
    return 0
