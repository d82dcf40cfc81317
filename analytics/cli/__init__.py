"""The `scaleboard` command: one entry for every operation.

``COMMANDS`` lists every subcommand once, with the module that implements it and its one-line help.
A command's module (``register(subparsers)`` adds its arguments, its handler returns an exit code)
is imported only when that command runs, so ``scaleboard --help`` does not pay for the whole stack.
Project errors are printed as one readable line (plus a hint) and exit with status 2; output piped
into a command that closes early (``| head``) ends quietly.
"""

from __future__ import annotations

import argparse
import importlib
import keyword
import os
import sys

from analytics.errors import ScaleboardError

COMMANDS: dict[str, str] = {
    "demo": "generate the demo lakehouse (deterministic for a seed)",
    "refresh": "update rollups incrementally from new partitions, then evaluate drift and raise alerts",
    "check": "run the data-quality contracts; open or close stewardship tasks",
    "contracts": "write starting data-quality contracts profiled from the data (contracts init)",
    "checklist": "the readiness checklist from the shell",
    "ingest": "validate and load CSV/Parquet files into a table, all or nothing",
    "users": "manage local sign-in users",
    "doctor": "list lakehouse problems (unreadable files, interrupted loads)",
    "schema": "print the lakehouse tables and columns as Markdown",
    "import": "import a model registry (MLflow) into the lakehouse",
    "alerts": "list, acknowledge or snooze alerts; the delivery log; test a delivery channel",
    "report": "write the overview or a model's health report as PDF (and XLSX)",
    "digest": "send the weekly digest by e-mail (PDF + XLSX attached) or to Slack",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only ``command``'s module is imported (every other command is listed by name)."""
    parser = argparse.ArgumentParser(prog="scaleboard", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        if name == command:
            # a command named like a Python keyword lives in <name>_.py
            importlib.import_module(f"{__name__}.{name}{'_' if keyword.iskeyword(name) else ''}").register(sub)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(command if command in COMMANDS else None)
    args = parser.parse_args(argv)
    args.argv = list(argv)  # the command as typed, for hints that repeat it with a fix
    try:
        return int(args.handler(args) or 0)
    except ScaleboardError as err:
        print(f"error: {err}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, and keep Python from failing on flush at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
