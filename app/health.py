"""The lakehouse health banner shown above every page: missing or empty lakehouse, unreadable files.

Each problem is named once here; the panels of the page keep working on what can be read.
"""

from __future__ import annotations

import streamlit as st

from analytics.lakehouse import storage
from app import data
from app.safe_text import md


def messages() -> list[tuple[str, str]]:
    """(level, text) pairs describing what is wrong with the configured lakehouse."""
    root = data.root()
    if not root.exists():
        return [("warning", f"The lakehouse folder {md(root)} does not exist, so every page is empty. "
                          "Set SCALEBOARD_LAKEHOUSE to your lakehouse, or create one with `scaleboard demo` "
                          "or `scaleboard ingest`.")]
    if not root.is_dir():
        return [("error", f"The lakehouse path {md(root)} is not a folder. Set SCALEBOARD_LAKEHOUSE to a folder.")]
    if storage.is_empty(root):
        return [("info", f"The lakehouse {md(root)} holds no data yet. Load files on *Load data* "
                         "(`scaleboard ingest`) or create a demo with `scaleboard demo`.")]
    found = data.problems()
    if not found:
        return []
    # file names and error texts come from the lakehouse: literal text, never markdown
    shown = "\n".join(f"- {md(p)}" for p in found[:10])
    more = f"\n- … and {len(found) - 10} more" if len(found) > 10 else ""
    return [("warning", f"Some lakehouse files could not be read and are left out of every figure "
                        f"(run `scaleboard doctor`):\n{shown}{more}")]


def banner() -> None:
    try:
        found = messages()
    except Exception as exc:  # the banner must never take the app down
        found = [("error", f"The lakehouse could not be opened: {md(exc)}")]
    for level, text in found:
        getattr(st, level)(text, icon=":material/warning:" if level != "info" else ":material/info:")
