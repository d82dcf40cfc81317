"""The connection the app and every command read through: a view per lakehouse table and per
declared rollup, and the problems met while opening them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb

from analytics.errors import LakehouseError
from analytics.lakehouse import refresh
from analytics.lakehouse.objectstore import ObjectPath, locate
from analytics.lakehouse.schema import TABLES
from analytics.lakehouse.views import new_connection, register_table


def connect(root: Path | str, *, tables: Iterable[str] | None = None,
            exclude: Mapping[Path, str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one view per lakehouse table (and rollup).

    A missing table folder gives an empty view with the declared columns, so pages show "no data"
    instead of failing. Files whose footer cannot be read, and those in ``exclude`` (found damaged
    by reading their pages: path -> why), are skipped and listed in the ``_problems`` view.
    Raises ``LakehouseError`` if ``root`` exists but is not a folder.
    """
    root = locate(root)
    if not isinstance(root, ObjectPath) and root.exists() and not root.is_dir():
        raise LakehouseError(f"The lakehouse path {root} is not a folder.",
                             hint="Set SCALEBOARD_LAKEHOUSE to a folder, or run `scaleboard demo`.")
    con = new_connection()
    problems: list[str] = []
    for name in tables or TABLES:
        problems += register_table(con, root, name, exclude=exclude)
    problems += refresh.register_views(con, root)
    con.sql("create or replace table _problems (problem varchar)")
    for p in problems:
        con.sql("insert into _problems values ($p)", params={"p": p})
    return con


def problems(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.sql("select problem from _problems").fetchall()]
