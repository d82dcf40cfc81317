"""What a report covers: the window and filters (shown in every footer), resolved from a period
preset the way the sidebar resolves it, and the one atomic way a report file is written."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from analytics.errors import InputError
from analytics.product import portfolio

# the sidebar's presets, spelled for a shell ("this-quarter"); "Custom" is --start/--end
PERIOD_SLUGS = {p.lower().replace(" ", "-"): p for p in portfolio.PERIODS if p != "Custom"}


@dataclass(frozen=True)
class Scope:
    """The filters a report was made with."""

    start_date: date
    end_date: date
    business_units: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None

    def params(self) -> dict:
        return {"start_date": self.start_date, "end_date": self.end_date,
                "business_units": self.business_units, "countries": self.countries}

    def window(self) -> str:
        return f"{self.start_date:%-d %b %Y} – {self.end_date:%-d %b %Y}"

    def describe(self) -> str:
        return (f"Window {self.window()} · business units: "
                f"{', '.join(self.business_units) if self.business_units else 'all'} · countries: "
                f"{', '.join(self.countries) if self.countries else 'all'}")


def resolve(con: duckdb.DuckDBPyConnection, *, period: str | None = None, start: date | None = None,
            end: date | None = None, business_units=None, countries=None) -> Scope:
    """The window of a period preset (default: the sidebar's default) over the data's span, or an
    explicit ``start``..``end``; raises InputError for an unknown preset or a half-given range."""
    if (start is None) != (end is None):
        raise InputError("Give both --start and --end (or neither, for a period preset).")
    if start is not None and end is not None:
        if start > end:
            raise InputError(f"The start date {start} is after the end date {end}.")
        return Scope(start, end, tuple(business_units or ()) or None, tuple(countries or ()) or None)
    name = PERIOD_SLUGS.get((period or portfolio.DEFAULT_PERIOD).lower().replace(" ", "-"))
    if name is None:
        raise InputError(f"Unknown period '{period}'; choose one of {', '.join(PERIOD_SLUGS)} "
                         "(or --start and --end).")
    opts = portfolio.filter_options(con)
    last = opts.max_date or date.today()
    first = opts.min_date or last - timedelta(days=365)
    s, e = portfolio.period_range(name, last, first)
    return Scope(s, e, tuple(business_units or ()) or None, tuple(countries or ()) or None)


def footer(scope: Scope, data_as_of: date | None, generated_at: datetime, extra: str = "") -> list[str]:
    """The two footer lines: the filters, then how fresh the data is and when the report was made."""
    as_of = f"{data_as_of:%-d %b %Y} (newest prediction day)" if data_as_of else "no data yet"
    return [f"Filters: {scope.describe()}",
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
