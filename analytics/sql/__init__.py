"""SQL files loaded by name: ``analytics/sql/<layer>/<name>.sql``, one query per file.

Values are always bound as DuckDB ``$name`` parameters; identifiers never come from users.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from analytics.errors import QueryError

SQL_DIR = Path(__file__).resolve().parent


@cache
def _index() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for path in SQL_DIR.rglob("*.sql"):
        if path.stem in found:
            raise RuntimeError(f"Two SQL files named {path.stem}: {found[path.stem]} and {path}")
        found[path.stem] = path
    return found


_INCLUDE = re.compile(r"\bQUERY_([A-Z0-9_]+)\b")


def load(name: str) -> str:
    """The text of the query ``name`` (the file stem, unique across layers).

    ``QUERY_<NAME>`` inside a query is replaced by the text of ``<name>.sql`` (used as a subquery),
    so shared logic such as the current ledger lives in one file.
    """
    try:
        text = _index()[name].read_text()
    except KeyError:
        raise QueryError(name, "no such SQL file in analytics/sql") from None
    return _INCLUDE.sub(lambda m: _strip_comments(load(m.group(1).lower())), text)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))


def names() -> list[str]:
    return sorted(_index())


def run(con: duckdb.DuckDBPyConnection, name: str, **params: Any) -> pl.DataFrame:
    """Run the named query with bound parameters and return polars.

    Only parameters the query mentions are bound, so callers can pass a common filter set.
    """
    text = load(name)
    return query(con, text, name=name, **params)


def query(con: duckdb.DuckDBPyConnection, text: str, *, name: str = "inline", **params: Any) -> pl.DataFrame:
    bound = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
    try:
        return con.sql(text, params=bound).pl()
    except duckdb.Error as exc:
        raise QueryError(name, _short(exc)) from exc


def _short(exc: Exception) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__
