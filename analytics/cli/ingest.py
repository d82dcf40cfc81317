"""`scaleboard ingest TABLE FILE...` or `scaleboard ingest --dir DIR`: validate CSV/Parquet files and
load them all, or nothing (per table), reading files as people have them (see ``Options``)."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError
from analytics.lakehouse.schema import TABLES


def _pair(text: str) -> tuple[str, str]:
    src, sep, dst = text.partition("=")
    if not sep or not src.strip():
        raise argparse.ArgumentTypeError(f"{text!r} must look like NAME=VALUE")
    return src.strip(), dst.strip()


def register(sub: argparse._SubParsersAction) -> None:
    tables = sorted(set(TABLES) - {"audit_log"})
    p = sub.add_parser("ingest", help="load your own CSV or Parquet files into a lakehouse table",
                       description="Validate every file against the table's schema (columns, types, "
                                   "time zones, ranges, enums, keys); load all files or nothing. "
                                   "The CSV delimiter (, ; tab |), a decimal comma and a BOM are detected.")
    p.add_argument("table", nargs="?", choices=tables, metavar="TABLE", help="target table: " + ", ".join(tables))
    p.add_argument("files", nargs="*", type=Path, metavar="FILE", help=".csv or .parquet files")
    p.add_argument("--dir", type=Path, default=None, metavar="DIR",
                   help="load every <table>*.csv|parquet file of DIR (or those its manifest.yaml lists) in "
                        "dependency order: models, then predictions, then outcomes and features")
    add_root_option(p)
    p.add_argument("--timezone", default=None, metavar="ZONE",
                   help="read timestamps without a zone as local time in ZONE (IANA name, e.g. Europe/Lisbon "
                        "or UTC) and convert them to UTC; without it they are rejected")
    p.add_argument("--map", action="append", type=_pair, default=[], metavar="SOURCE=TARGET",
                   help="rename a file column to a table column (repeatable); SOURCE= drops the column")
    p.add_argument("--mapping", type=Path, default=None, metavar="FILE",
                   help="a saved YAML mapping: columns: {source: target}, set:, timezone:, wide:")
    p.add_argument("--set", action="append", type=_pair, default=[], metavar="COLUMN=VALUE",
                   help="give a table column one value for every row, e.g. --set model_id=bike (repeatable)")
    p.add_argument("--preview", action="store_true",
                   help="show the first 5 rows as mapped, validate, and write nothing")
    p.add_argument("--wide", action="store_true",
                   help="a wide feature table (one column per feature) for 'features': turned into the long format")
    p.add_argument("--id-column", default=None, metavar="C", help="with --wide: the request id column")
    p.add_argument("--time-column", default=None, metavar="C", help="with --wide: the time column")
    p.add_argument("--model", default=None, metavar="M", help="with --wide: model_id for every row")
    p.add_argument("--version", default=None, metavar="V", help="with --wide: version for every row")
    p.add_argument("--register-models", action="store_true",
                   help="add models the files name but the models table lacks (stage pilot; business unit "
                        "--business-unit; task --task or from the value range: scores/labels within 0..1 "
                        "make a classifier), with a notice")
    p.add_argument("--business-unit", default="unassigned", help="business unit of registered models")
    p.add_argument("--task", choices=("classification", "regression"), default=None,
                   help="task of registered models (default: from the value range)")
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


def _options(args: argparse.Namespace, extra: dict | None = None):
    """The ``Options`` from the mapping file, the manifest entry (``extra``) and the flags (flags win)."""
    from analytics.lakehouse import ingest

    doc = ingest.load_mapping(args.mapping) if args.mapping else {"columns": {}, "set": {}}
    extra = extra or {}
    columns = {**doc["columns"], **{str(k): "" if v is None else str(v) for k, v in (extra.get("map") or {}).items()},
               **dict(args.map)}
    constants = {**doc["set"], **{str(k): str(v) for k, v in (extra.get("set") or {}).items()}, **dict(args.set)}
    wide_doc = {**(doc.get("wide") or {}), **(extra.get("wide") or {})}
    if args.wide or wide_doc:
        id_col = args.id_column or wide_doc.get("id_column")
        time_col = args.time_column or wide_doc.get("time_column")
        if not id_col or not time_col:
            raise InputError("--wide needs --id-column C and --time-column C (the request id and time columns).")
        wide = ingest.Wide(id_col, time_col, args.model or wide_doc.get("model"),
                           args.version or wide_doc.get("version"))
    else:
        if args.id_column or args.time_column or args.model or args.version:
            raise InputError("--id-column, --time-column, --model and --version go with --wide.")
        wide = None
    return ingest.Options(timezone=args.timezone or extra.get("timezone") or doc.get("timezone"),
                          mapping=columns, constants=constants, wide=wide,
                          register_models=args.register_models or bool(extra.get("register_models")),
                          business_unit=args.business_unit, task=args.task)


def _command_with(args: argparse.Namespace, flag: str) -> str:
    """The command the user ran, with ``flag`` added (the hint that fixes it)."""
    argv = list(getattr(args, "argv", None) or [])
    return "scaleboard " + shlex.join(argv + [flag])


def run(args: argparse.Namespace) -> int:
    from analytics.governance import audit
    from analytics.lakehouse import ingest
    from analytics.settings import load_settings

    root = root_of(args)
    max_mb = args.max_mb if args.max_mb is not None else load_settings().max_upload_mb
    by = (args.by or "").strip()
    if args.by is not None and not by:
        raise InputError("--by needs a name.")
    if args.dir is not None:
        if args.table or args.files:
            raise InputError("Give either --dir DIR or TABLE FILE..., not both.")
        plans = ingest.plan_folder(args.dir)
    elif not args.table or not args.files:
        raise InputError("Give a TABLE and one or more FILEs, or --dir DIR.")
    else:
        plans = [ingest.Planned(args.table, tuple(args.files))]
    for plan in plans:
        opts = _options(args, plan.options)
        if args.preview:
            frame, notes = ingest.preview(plan.table, plan.files, opts)
            import polars as pl

            with pl.Config(tbl_cols=-1, tbl_width_chars=200, tbl_hide_dataframe_shape=True,
                           tbl_hide_column_data_types=True):
                print(f"{plan.table}: first {frame.height} row(s) of {plan.files[0].name} as mapped")
                print(frame)
        try:
            rep = ingest.ingest(root, plan.table, plan.files, actor=by or audit.cli_actor(), role=None, page="cli",
                                max_bytes=int(max_mb * 1024 * 1024), allow_extra=args.allow_extra_columns,
                                dry_run=args.dry_run or args.preview, options=opts)
        except ingest.IngestError as exc:
            if len(plans) > 1:
                print(f"{plan.table}: not loaded; the tables after it were not tried")
            if exc.unknown_models and args.dir is None:
                exc.hint = f"Register them from the file: {_command_with(args, '--register-models')}"
            raise
        _print(rep, root, args.dry_run or args.preview)
    return 0


def _print(rep, root: Path, dry: bool) -> None:
    for r in rep.recovered:
        print(f"- {r}")
    if rep.already_loaded:
        print(f"{rep.table}: these {rep.rows} rows were loaded by the interrupted run; nothing loaded twice")
        return
    verb = "valid (dry run, nothing written)" if dry else f"loaded into {root}"
    print(f"{rep.table}: {rep.rows} rows from {len(rep.files)} file(s) {verb}")
    for note in rep.notices:
        print(f"  note: {note}")
    shown = rep.written if len(rep.written) <= 5 else rep.written[:3]
    for p in shown:
        print(f"  {p.relative_to(root)}")
    if len(shown) < len(rep.written):
        print(f"  … and {len(rep.written) - len(shown)} more files")
