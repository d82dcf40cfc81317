"""Shared CLI plumbing: the lakehouse root option (defaults to settings / SCALEBOARD_LAKEHOUSE)."""

from __future__ import annotations

import argparse
from pathlib import Path

from analytics.settings import lakehouse_root, load_settings


def add_root_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lakehouse", type=str, default=None,
                   help="lakehouse root (default: $SCALEBOARD_LAKEHOUSE or data/lakehouse)")


def root_of(args: argparse.Namespace) -> Path:
    given = getattr(args, "lakehouse", None)
    return lakehouse_root(given) if given else load_settings().lakehouse
