"""Starting contracts profiled from the data: what a steward edits instead of writing from nothing.

``starting_contracts(root)`` profiles every table that holds rows and writes nothing; one contract per
catalogued dataset whose ``table_name`` is that table (else one named after the table). Each has:

* completeness of every column that is ever filled: warn 1 point, fail 5 points below the observed share;
* validity: numeric columns within the observed min..max, columns with declared values (enums) in
  those values, other text columns with at most ``MAX_ALLOWED`` distinct values in the observed ones
  (warn below 99 %, fail below 95 %);
* volume (rows in the last day vs the trailing median of up to 28 days; warn below 0.5, fail below
  0.2) only when the data arrives daily or more often (a daily count of a weekly feed would fail six
  days of seven) and ``MIN_DAYS_FOR_VOLUME`` days hold data;
* freshness (timeliness): the observed cadence is the median gap between consecutive days that hold
  data; warn after 1.5 and fail after 3 cadences (at least 24 h: the unit is the day).

Completeness and validity look back ``window_days`` = twice the cadence (so a window holds data).
Inventory tables (not partitioned by month: models, model_versions, datasets…) are checked whole
(completeness and validity only; no volume or freshness: they are not feeds). A table whose time
column (the contract's window column) is empty is not profiled: no check could run.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics.lakehouse import storage
from analytics.lakehouse.schema import TABLES
from analytics.lakehouse.views import quote_ident
from analytics.quality import contracts

MAX_ALLOWED = 20  # text columns with more distinct values are free text or ids: no allowed list
WHOLE_TABLE_DAYS = 36500  # the window of an inventory table (models, versions): all of it
MIN_DAYS_FOR_VOLUME = 8  # a daily median needs a week of history
MIN_ROWS_FOR_ALLOWED = 20  # fewer rows say little about the values a column may take
NOT_PROFILED = frozenset({"audit_log", "quality_results", "alerts", "alert_deliveries", "alert_actions",
                          "stewardship_tasks", "feature_importance", "partial_dependence"})  # written by the app itself


@dataclass(frozen=True)
class Profile:
    table: str
    rows: int
    time_column: str | None
    cadence_days: float | None  # median gap between consecutive days with data
    checks: tuple[dict, ...]
    skipped: str = ""  # why the table has no starting contract
    n_days: int = 0  # days that hold data


def _cadence(days: list[date]) -> float | None:
    gaps = [(b - a).days for a, b in zip(days, days[1:], strict=False)]
    return float(statistics.median(gaps)) if gaps else None


def profile_table(con: duckdb.DuckDBPyConnection, name: str) -> Profile:
    """The checks a starting contract for table ``name`` holds (see the module docstring)."""
    spec = TABLES[name]
    view = quote_ident(name)
    rows = con.execute(f"select count(*) from {view}").fetchone()[0]
    time_col = next((f.name for f in spec.schema if pa.types.is_timestamp(f.type)), None)
    checks: list[dict] = []
    if not rows:
        return Profile(name, 0, time_col, None, (), "it has no rows")
    cadence, days = None, []
    if time_col:
        days = [d for (d,) in con.execute(f"select distinct cast({quote_ident(time_col)} as date) d from {view} "
                                          "where d is not null order by d").fetchall()]
        if not days:  # checks window by this column (the contract's default): with no value, none could run
            return Profile(name, rows, time_col, None, (), f"its time column {time_col} is empty")
        cadence = _cadence(days)
    feed = spec.partition_by is not None  # an event log arrives over time; an inventory is looked at whole
    window = max(1, math.ceil(2 * (cadence or 1))) if feed else WHOLE_TABLE_DAYS
    for f in spec.schema:
        col = quote_ident(f.name)
        filled = con.execute(f"select count({col}) from {view}").fetchone()[0] / rows
        if filled == 0:
            continue
        base = {"table": name, "column": f.name}
        if time_col:
            base["window_days"] = window
        checks.append({"id": f"{f.name}_complete", "kind": "completeness", **base,
                       "warn": round(max(0.0, filled - 0.01), 4), "fail": round(max(0.0, filled - 0.05), 4)})
        rule: dict = {}
        if pa.types.is_integer(f.type) or pa.types.is_floating(f.type):
            lo, hi = con.execute(f"select min({col}), max({col}) from {view}").fetchone()
            rule = {"min": float(lo), "max": float(hi)}
        elif f.name in spec.enums:
            rule = {"allowed": list(spec.enums[f.name])}
        elif pa.types.is_string(f.type) and rows >= MIN_ROWS_FOR_ALLOWED and f.name not in spec.key:
            values = con.execute(f"select distinct {col} from {view} where {col} is not null order by 1 "
                             f"limit {MAX_ALLOWED + 1}").fetchall()
            if len(values) <= MAX_ALLOWED:
                rule = {"allowed": [v for (v,) in values]}
        if rule:
            checks.append({"id": f"{f.name}_valid", "kind": "validity", **base, **rule, "warn": 0.99, "fail": 0.95})
    if feed and cadence is not None and cadence <= 1 and len(days) >= MIN_DAYS_FOR_VOLUME:
        checks.append({"id": "daily_volume", "kind": "volume", "table": name, "time_column": time_col,
                       "trailing_days": min(28, len(days) - 1), "warn": 0.5, "fail": 0.2})
    if feed:
        hours = 24 * max(1.0, cadence or 1.0)
        checks.append({"id": "fresh", "kind": "timeliness", "table": name, "column": time_col,
                       "warn": 1.5 * hours, "fail": 3 * hours})
    return Profile(name, rows, time_col, cadence, tuple(checks), n_days=len(days))


def _datasets(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """table -> the catalogued dataset ids that name it."""
    out: dict[str, list[str]] = {}
    for ds, tbl in con.execute("select dataset_id, table_name from datasets where table_name is not null "
                           "order by dataset_id").fetchall():
        out.setdefault(tbl, []).append(ds)
    return out


def description(p: Profile) -> str:
    cadence = ("no time column" if p.time_column is None else
               "one day with data only: cadence unknown, taken as daily" if p.cadence_days is None else
               f"data arrives every {p.cadence_days:g} day(s) (median gap between days with data)")
    if p.table and TABLES[p.table].partition_by is None:
        return (f"Starting contract profiled from {p.rows:,} rows of {p.table}, an inventory checked whole. "
                "Thresholds follow what was observed; a steward should review and edit them.")
    volume = ("; no volume check: it compares daily counts and this feed is not daily"
              if p.cadence_days is not None and p.cadence_days > 1 else
              f"; no volume check yet: {p.n_days} day(s) of history, a daily median needs {MIN_DAYS_FOR_VOLUME}"
              if p.time_column and p.n_days < MIN_DAYS_FOR_VOLUME else "")
    return (f"Starting contract profiled from {p.rows:,} rows of {p.table}: {cadence}{volume}. "
            "Thresholds follow what was observed; a steward should review and edit them.")


def starting_contracts(con: duckdb.DuckDBPyConnection, *, only: list[str] | None = None
                       ) -> list[tuple[str, str, Profile]]:
    """(dataset id, contract YAML, profile) for every table with rows (or ``only`` those tables)."""
    named = _datasets(con)
    out = []
    for name in sorted(TABLES):
        if name in NOT_PROFILED or (only and name not in only):
            continue
        p = profile_table(con, name)
        if not p.checks:
            continue
        for ds in named.get(name, [name]):
            out.append((ds, contracts.dump(ds, [dict(c) for c in p.checks], description(p)), p))
    return out


def default_contracts(con: duckdb.DuckDBPyConnection) -> list[contracts.Contract]:
    """The starting contracts parsed, for a check run where no contract is written yet."""
    return [contracts.parse(text, file=f"{ds}.yaml (profiled, not saved)") for ds, text, _ in starting_contracts(con)]


def write_contracts(root: Path | str, con: duckdb.DuckDBPyConnection, *, only: list[str] | None = None,
                    overwrite: bool = False) -> list[tuple[Path, bool]]:
    """Write the starting contracts under ``<root>/_config/contracts/``; (path, written). An existing
    contract is a steward's work: it is kept unless ``overwrite``."""
    folder = contracts.contracts_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for ds, text, _ in starting_contracts(con, only=only):
        path = folder / f"{ds}.yaml"
        if path.exists() and not overwrite:
            done.append((path, False))
            continue
        contracts.parse(text, file=path.name)  # what is written must load
        storage.write_text_atomic(path, text)
        done.append((path, True))
    return done
