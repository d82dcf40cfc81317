"""`scaleboard import mlflow --tracking-uri URI [--since DATE]`: registered models, versions,
aliases, tags and run metrics into the lakehouse's registry tables (idempotent)."""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime

from analytics.cli.common import add_root_option, root_of


def _since(text: str) -> datetime:
    try:
        day = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-10-31") from None
    return day if day.tzinfo else day.replace(tzinfo=UTC)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a model registry (MLflow) into the lakehouse")
    kinds = p.add_subparsers(dest="source", metavar="SOURCE", required=True)
    m = kinds.add_parser("mlflow", help="an MLflow tracking server or local store")
    add_root_option(m)
    m.add_argument("--tracking-uri", required=True,
                   help="http(s)://host:port of a tracking server, sqlite:///path/mlflow.db, or a store folder")
    m.add_argument("--since", type=_since, default=None, help="only versions created on or after this date")
    m.add_argument("--by", default=None, help="who ran the import (default: the OS user)")
    m.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from analytics.governance import audit, mlflow_import  # the registry reader needs mlflow: load late

    root = root_of(args)
    actor = args.by or getpass.getuser()
    report = mlflow_import.import_registry(root, args.tracking_uri, actor=actor, since=args.since)
    for line in report.lines():
        print(line)
    if report.models or report.versions or report.events:
        audit.record(root, actor=actor, role="cli", action="registry.import", target=args.tracking_uri,
                     page="cli", detail=f"{report.models} models, {report.versions} versions, {report.events} events")
    return 0
