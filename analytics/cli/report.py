"""`scaleboard report`: the overview (PDF and/or XLSX pack) or a model's health page (PDF) from the shell.

Examples:
  scaleboard report overview --out overview.pdf --xlsx overview.xlsx --period this-quarter
  scaleboard report overview --out q3.pdf --start 2026-07-01 --end 2026-09-30 --business-unit Retail
  scaleboard report model churn_propensity --out churn.pdf --paper letter
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from analytics.cli.common import add_root_option, root_of
from analytics.errors import InputError
from analytics.lakehouse import connection
from analytics.product.scope import Scope
from analytics.report import scope as report_scope
from analytics.report.pdf import PAPERS, warm_up


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-10-31") from None


def add_scope_options(p: argparse.ArgumentParser, *, filters: bool = True) -> None:
    """--period / --start / --end (and the business-unit and country filters), as the sidebar has them."""
    p.add_argument("--period", default=None, choices=list(report_scope.PERIOD_SLUGS),
                   help="a preset of whole calendar months or quarters, the last holding the newest data day "
                        "(as the sidebar; default: last-12-months)")
    p.add_argument("--start", type=_day, default=None, help="window start (with --end), e.g. 2026-07-01")
    p.add_argument("--end", type=_day, default=None, help="window end, inclusive")
    if filters:
        p.add_argument("--business-unit", action="append", default=None, help="only this business unit (repeatable)")
        p.add_argument("--country", action="append", default=None, help="only this country (repeatable)")


def resolve_scope(con, args: argparse.Namespace) -> Scope:
    if args.period and (args.start or args.end):
        raise InputError("Give either --period or --start/--end, not both.")
    return report_scope.resolve(con, period=args.period, start=args.start, end=args.end,
                                business_units=getattr(args, "business_unit", None),
                                countries=getattr(args, "country", None))


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the overview or a model's health report as PDF (and XLSX)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = p.add_subparsers(dest="report", metavar="REPORT", required=True)
    o = kinds.add_parser("overview", help="the overview page: PDF (--out) and/or XLSX pack (--xlsx)")
    add_root_option(o)
    o.add_argument("--out", type=Path, default=None, help="PDF file to write")
    o.add_argument("--xlsx", type=Path, default=None, help="XLSX file to write (one sheet per table)")
    o.add_argument("--paper", choices=list(PAPERS), default="a4", help="page size (default a4)")
    add_scope_options(o)
    o.set_defaults(handler=run_overview)
    m = kinds.add_parser("model", help="one model's health on one page (PDF)")
    add_root_option(m)
    m.add_argument("model_id", help="the model's id (models.model_id)")
    m.add_argument("--out", type=Path, required=True, help="PDF file to write")
    m.add_argument("--paper", choices=list(PAPERS), default="a4", help="page size (default a4)")
    add_scope_options(m, filters=False)
    m.set_defaults(handler=run_model)


def run_overview(args: argparse.Namespace) -> int:
    from analytics.report import overview

    if not args.out and not args.xlsx:
        raise InputError("Nothing to write: give --out FILE.pdf and/or --xlsx FILE.xlsx.")
    report_scope.check_target(args.out)
    report_scope.check_target(args.xlsx)
    if args.out:
        warm_up()  # the chart renderer starts while the queries run
    con = connection.connect(root_of(args))
    try:
        sc = resolve_scope(con, args)
        pack = overview.overview_pack(con, sc)
    finally:
        con.close()
    if args.out:
        print(f"wrote {report_scope.write_atomic(args.out, overview.render_pdf(pack, paper=args.paper))}")
    if args.xlsx:
        print(f"wrote {report_scope.write_atomic(args.xlsx, overview.render_xlsx(pack))}")
    return 0


def run_model(args: argparse.Namespace) -> int:
    from analytics.report import model

    report_scope.check_target(args.out)
    warm_up()
    root = root_of(args)
    con = connection.connect(root)
    try:
        sc = resolve_scope(con, args)
        pack = model.model_pack(con, sc, root=root, model_id=args.model_id)
    finally:
        con.close()
    print(f"wrote {report_scope.write_atomic(args.out, model.render_pdf(pack, paper=args.paper))}")
    return 0
