"""What a report covers: the ``Scope`` (window and filters, shown in every footer), resolved from a
period preset the way the sidebar resolves it, and the one atomic way a report file is written."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from analytics.errors import InputError
from analytics.product import portfolio
from analytics.product.scope import DEFAULT_PERIOD, PERIODS, Scope, period_range

# the sidebar's presets (analytics.product.scope.PERIODS), spelled for a shell ("this-quarter");
# "Custom" is --start/--end
PERIOD_SLUGS = {p.lower().replace(" ", "-"): p for p in PERIODS if p != "Custom"}


def window(scope: Scope) -> str:
    return f"{scope.start:%-d %b %Y} – {scope.end:%-d %b %Y}"


def describe(scope: Scope) -> str:
    """The window and the filters the figures were drawn for (the effective business units)."""
    return (f"Window {window(scope)} · business units: {', '.join(scope.units) if scope.units else 'all'}"
            f" · countries: {', '.join(scope.countries) if scope.countries else 'all'}")


def resolve(con: duckdb.DuckDBPyConnection, *, period: str | None = None, start: date | None = None,
            end: date | None = None, business_units=None, countries=None) -> Scope:
    """The Scope of a period preset (default: the sidebar's default) over the data's span, as the
    sidebar resolves it (``period_range``), or an explicit ``start``..``end``; raises InputError for
    an unknown preset or a half-given range. Reports from the shell see every business unit."""
    if (start is None) != (end is None):
        raise InputError("Give both --start and --end (or neither, for a period preset).")
    if start is not None and end is not None:
        return Scope(start, end, business_units or None, countries or None)
    name = PERIOD_SLUGS.get((period or DEFAULT_PERIOD).lower().replace(" ", "-"))
    if name is None:
        raise InputError(f"Unknown period '{period}'; choose one of {', '.join(PERIOD_SLUGS)} "
                         "(or --start and --end).")
    opts = portfolio.filter_options(con)
    last = opts.max_date or date.today()
    first = opts.min_date or last - timedelta(days=365)
    s, e = period_range(name, last, first)
    return Scope(s, e, business_units or None, countries or None)


def footer(scope: Scope, data_as_of: date | None, generated_at: datetime, extra: str = "") -> list[str]:
    """The two footer lines: the filters, then how fresh the data is and when the report was made."""
    as_of = f"{data_as_of:%-d %b %Y} (newest prediction day)" if data_as_of else "no data yet"
    return [f"Filters: {describe(scope)}",
            f"Data as of {as_of}{extra} · generated {generated_at:%-d %b %Y %H:%M} UTC by Scaleboard"]


def check_target(path: Path | None) -> None:
    """Fail before any work when a report file cannot be written where asked."""
    if path is not None and not Path(path).parent.is_dir():
        raise InputError(f"The folder {Path(path).parent} does not exist; create it or choose another file.")


def write_atomic(path: Path, data: bytes) -> Path:
    """Write a report file whole or not at all (a temp file in the same folder, then a rename)."""
    path = Path(path)
    check_target(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
