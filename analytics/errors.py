"""Project errors. ``analytics`` raises these; the UI translates them once (``app.ui.panel``)."""

from __future__ import annotations


class ScaleboardError(Exception):
    """Base class: ``str(err)`` is a sentence a user can act on."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint or self.hint


class QueryError(ScaleboardError):
    """A named query failed; names the query and what went wrong."""

    def __init__(self, query: str, detail: str) -> None:
        super().__init__(f"Query '{query}' failed: {detail}",
                         hint="Check that the lakehouse tables exist and are readable (scaleboard doctor).")
        self.query = query
        self.detail = detail


class UnknownTableError(ScaleboardError):
    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(f"Unknown table '{name}'. Known tables: {', '.join(known)}.")


class LakehouseError(ScaleboardError):
    """The lakehouse root or one of its files cannot be used."""


class InputError(ScaleboardError):
    """Something a user supplied (an argument, an upload, a form) is invalid; nothing was written."""


class NoDataError(ScaleboardError):
    """A normal state: the window or filter selects nothing. Pages show it as information."""
