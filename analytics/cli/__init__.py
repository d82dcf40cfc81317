"""The `scaleboard` command: one entry for every operation.

Each module in this package that defines ``register(subparsers)`` adds a subcommand; the
subcommand's handler receives the parsed arguments and returns an exit code. Project errors are
printed as one readable line (plus a hint) and exit with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from analytics.errors import ScaleboardError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scaleboard", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "register"):
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except ScaleboardError as err:
        print(f"error: {err}", file=sys.stderr)
        if err.hint:
            print(f"hint: {err.hint}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
