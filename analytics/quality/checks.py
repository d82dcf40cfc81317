"""Evaluate contract checks with DuckDB: one scan per source, every check on it batched in one query.

For each source (a lakehouse table or a Parquet/CSV file, with its time column) one query groups the
rows by *day bucket* (0 = the 24 hours up to ``as_of``, 1 = the 24 hours before, ...); every check
contributes filtered aggregates (counts, failing counts, newest time) so windows and trailing
medians are assembled in Python from the per-day partials. Uniqueness needs ``count(distinct)``
over the whole window: a 1-day window is bucket 0 itself; longer ones make the query use
``GROUPING SETS ((bucket), ())`` to get it in the same scan. Breached row-level checks then fetch up to ``SAMPLE_ROWS`` newest failing rows of their window
with a bounded second query (only the window is read).
"""

from __future__ import annotations

import json
import re
import statistics
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from analytics.errors import InputError, QueryError
from analytics.lakehouse import storage
from analytics.lakehouse.objectstore import locate
from analytics.lakehouse.schema import QUALITY_RESULTS, TABLES
from analytics.lakehouse.views import quote_ident
from analytics.quality.contracts import TYPES, Check
from analytics.report.fmt import moment

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    """One evaluated check: the metric (share, ratio or hours), its status and evidence."""

    check: Check
    checked_at: datetime
    metric_value: float | None
    status: str  # pass | warn | fail | error
    n_rows: int
    n_failed: int
    samples: tuple[dict, ...]
    message: str

    def row(self, run_id: str) -> dict:
        c = self.check
        return {"run_id": run_id, "checked_at": self.checked_at, "dataset_id": c.dataset_id,
                "check_id": c.check_id, "check_kind": c.kind, "column": c.column,
                "metric_value": self.metric_value, "warn_threshold": c.warn, "fail_threshold": c.fail,
                "status": self.status, "n_rows": self.n_rows, "n_failed": self.n_failed,
                "sample_json": json.dumps(list(self.samples), default=str) if self.samples else None,
                "message": self.message}


def grade(value: float | None, warn: float, fail: float, *, higher_is_better: bool) -> str:
    """pass/warn/fail for a metric against its thresholds (``error`` when there is no value)."""
    if value is None:
        return "error"
    if higher_is_better:
        return "fail" if value < fail else "warn" if value < warn else "pass"
    return "fail" if value > fail else "warn" if value > warn else "pass"


# ---------------------------------------------------------------- sources

@dataclass(frozen=True)
class _Source:
    label: str
    from_sql: str  # a quoted view name or a read_* call on the bound $src_path
    path: str | None
    time_column: str | None
    columns: tuple[str, ...]


def _resolve(con: duckdb.DuckDBPyConnection, check: Check, root: Path,
             overrides: dict[str, Path]) -> _Source:
    path = overrides.get(check.table) if check.table else Path(check.path)
    if path is None:
        cols = tuple(f.name for f in TABLES[check.table].schema)
        return _Source(check.table, quote_ident(check.table), None, check.time_column, cols)
    path = path if path.is_absolute() else Path(root) / path
    if not path.is_file():
        raise InputError(f"Check '{check.check_id}' ({check.file}, line {check.line}) reads {path}, "
                         "which does not exist.")
    reader = "read_parquet" if path.suffix == ".parquet" else "read_csv_auto"
    from_sql = f"{reader}($src_path)"
    try:
        desc = con.sql(f"describe select * from {from_sql}", params={"src_path": str(path)}).fetchall()
    except duckdb.Error as exc:
        raise InputError(f"Cannot read {path} for check '{check.check_id}': {exc}") from exc
    cols = tuple(r[0] for r in desc)
    for key in ("column", "time_column", "measure"):
        name = getattr(check, key)
        if name and name not in cols:
            raise InputError(f"Check '{check.check_id}' ({check.file}, line {check.line}): {path.name} "
                             f"has no column '{name}'; it has {', '.join(cols)}.")
    for k, _ in check.where:
        if k not in cols:
            raise InputError(f"Check '{check.check_id}' ({check.file}, line {check.line}): {path.name} "
                             f"has no column '{k}' (used in `where`).")
    return _Source(str(path), from_sql, str(path), check.time_column, cols)


# ---------------------------------------------------------------- query building

class _Builder:
    """Collects aggregate expressions and bound parameters for one source query."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.aggs: list[str] = []
        self.params: dict[str, Any] = {}
        self.horizon_days = 1  # how far back any check of this source needs to look
        self.has_unique = False  # uniqueness needs the whole-window grouping set

    def need(self, days: int) -> None:
        self.horizon_days = max(self.horizon_days, int(days))

    def param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def agg(self, expr: str) -> str:
        alias = f"a{len(self.aggs)}"
        self.aggs.append(f"{expr} as {alias}")
        return alias

    def where(self, check: Check) -> str:
        conds = [f"{quote_ident(k)} = {self.param(v)}" for k, v in check.where]
        return " and ".join(conds) or "true"

    def row_struct(self) -> str:
        return "{" + ", ".join(f"'{c}': {quote_ident(c)}" for c in self.source.columns
                               if "'" not in c) + "}"



def _bad_expr(b: _Builder, check: Check) -> str:
    """Row-level predicate for a non-null value breaking a validity rule."""
    col = quote_ident(check.column)
    parts = []
    for key, value in check.rule:
        if key == "type":
            parts.append(f"try_cast({col} as {TYPES[value]}) is null")
        elif key == "min":
            parts.append(f"try_cast({col} as double) < {b.param(float(value))}")
        elif key == "max":
            parts.append(f"try_cast({col} as double) > {b.param(float(value))}")
        elif key == "allowed":
            parts.append(f"not list_contains({b.param(list(value))}, cast({col} as varchar))")
        elif key == "regex":
            parts.append(f"not regexp_full_match(cast({col} as varchar), {b.param(value)})")
    return f"({col} is not null and coalesce(" + " or ".join(parts) + ", true))"


def _count(cond: str) -> str:
    # sum(case ...) measured ~4x faster than count(*) filter (where ...) in DuckDB 2.0 (bench_quality)
    return f"sum(case when {cond} then 1 else 0 end)"


def _plan(b: _Builder, check: Check) -> dict[str, str]:
    f = b.where(check)
    win = f"({f}) and _bucket < {int(check.window_days)}"
    col = quote_ident(check.column) if check.column else None
    if check.kind in ("completeness", "validity"):
        b.need(check.window_days)
    if check.kind == "completeness":
        return {"n": b.agg(_count(f)), "bad": b.agg(_count(f"{f} and {col} is null")),
                "cond": f"{f} and {col} is null"}
    if check.kind == "validity" and dict(check.rule).get("unique"):
        b.has_unique = b.has_unique or check.window_days > 1  # a 1-day window is bucket 0 alone
        return {"n_all": b.agg(_count(f"{win} and {col} is not null")),
                "distinct_all": b.agg(f"count(distinct case when {win} then {col} end)")}
    if check.kind == "validity":
        bad = _bad_expr(b, check)
        return {"n": b.agg(_count(f"{f} and {col} is not null")), "bad": b.agg(_count(f"{f} and {bad}")),
                "cond": f"{f} and {bad}"}
    if check.kind == "volume":
        b.need(check.trailing_days + 1)
        amount = f"sum(case when {f} then {quote_ident(check.measure)} end)" if check.measure else _count(f)
        return {"amount": b.agg(amount)}
    # timeliness: look back far enough to tell a failure; older newest values come from a fallback
    b.need(int(check.fail // 24) + 2)
    return {"newest": b.agg(f"max(case when {f} then {col} end)"), "n": b.agg(_count(f))}


def _query(b: _Builder) -> str:
    src = b.source
    if src.time_column:
        t = quote_ident(src.time_column)
        # integer microseconds: ~6x faster than flooring an interval's epoch
        bucket = f"(epoch_us(cast($as_of as timestamptz)) - epoch_us({t})) // 86400000000"
        body = (f"select *, {bucket} as _bucket from {src.from_sql} where {t} <= cast($as_of as timestamptz) "
                f"and {t} > cast($as_of as timestamptz) - to_days({int(b.horizon_days)})")
    else:
        body = f"select *, 0 as _bucket from {src.from_sql}"
    # the () grouping set (whole window, for count(distinct)) doubles the aggregation work: only
    # when a uniqueness check needs it
    groups = "grouping sets ((_bucket), ())" if b.has_unique else "_bucket"
    return (f"with src as ({body})\nselect _bucket, grouping(_bucket) as _total,\n  "
            + ",\n  ".join(b.aggs) + f"\nfrom src group by {groups}")


# ---------------------------------------------------------------- evaluation

def evaluate(con: duckdb.DuckDBPyConnection, checks: list[Check], *, as_of: datetime | None = None,
             root: Path | str = ".", overrides: dict[str, Path] | None = None) -> list[CheckResult]:
    """Evaluate ``checks`` as of ``as_of`` (default now, UTC): one query per source. Nothing is written."""
    as_of = _utc(as_of or datetime.now(UTC))
    return evaluate_days(con, checks, last=as_of, days=1, root=root, overrides=overrides)[0]


def evaluate_days(con: duckdb.DuckDBPyConnection, checks: list[Check], *, last: datetime, days: int,
                  root: Path | str = ".", overrides: dict[str, Path] | None = None) -> list[list[CheckResult]]:
    """Results as of ``last - k days`` for k = days-1 .. 0 (oldest first), still one scan per source:
    the day buckets of one query are shifted per day. Uniqueness (``count(distinct)``, not mergeable
    across days) is evaluated with its own query per extra day."""
    last = _utc(last)
    groups: dict[tuple, tuple[_Builder, list]] = {}
    for check in checks:
        src = _resolve(con, check, locate(root), overrides or {})
        key = (src.from_sql, src.path, src.time_column)
        if key not in groups:
            groups[key] = (_Builder(src), [])
        b, planned = groups[key]
        planned.append((check, _plan(b, check)))
    out: list[list[CheckResult]] = [[] for _ in range(days)]
    for b, planned in groups.values():
        b.need(b.horizon_days + days - 1)
        params = {**b.params, "as_of": last}
        if b.source.path:
            params["src_path"] = b.source.path
        text = _query(b)
        params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
        try:
            rows = con.sql(text, params=params).fetchall()
            names = ["_bucket", "_total", *[a.rsplit(" as ", 1)[1] for a in b.aggs]]
        except duckdb.Error as exc:
            raise QueryError(f"quality checks on {b.source.label}", str(exc).splitlines()[0]) from exc
        per_bucket = {r[0]: dict(zip(names, r, strict=True)) for r in rows if r[1] == 0}
        total = next((dict(zip(names, r, strict=True)) for r in rows if r[1] == 1), {})
        for k in range(days):
            as_of = last - timedelta(days=k)
            shifted = {bk - k: v for bk, v in per_bucket.items() if bk is not None and bk >= k}
            for check, aliases in planned:
                if k and "distinct_all" in aliases:
                    r = evaluate_days(con, [check], last=as_of, days=1, root=root, overrides=overrides)[0][0]
                else:
                    r = _result(con, b, check, aliases, shifted, total, as_of)
                out[days - 1 - k].append(r)
    return out


def _utc(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def _pct(x: float) -> str:
    return f"{x:.1%}"


def _result(con, b: _Builder, check: Check, a: dict[str, str], per_bucket: dict, total: dict,
            as_of: datetime) -> CheckResult:
    target = check.describe_target()
    win = [v for k, v in per_bucket.items() if k is not None and k < check.window_days]
    days = "day" if check.window_days == 1 else f"{check.window_days} days"

    def done(value, n, failed, samples, message) -> CheckResult:
        status = grade(value, check.warn, check.fail, higher_is_better=check.higher_is_better)
        return CheckResult(check, as_of, value, status, int(n), int(failed), tuple(samples), message)

    if check.kind in ("completeness", "validity") and "n" in a:
        n = sum(v[a["n"]] for v in win)
        bad = sum(v[a["bad"]] for v in win)
        if n == 0:
            return done(None, 0, 0, [], f"No rows of {target} in the last {days} to check "
                        f"{check.column}; see the volume and timeliness checks.")
        share = 1 - bad / n
        what = "non-null" if check.kind == "completeness" else "valid"
        breached = grade(share, check.warn, check.fail, higher_is_better=True) != "pass"
        samples = _samples(con, b, check, a["cond"], as_of) if bad and breached else []
        return done(share, n, bad, samples,
                    f"{_pct(share)} of {check.column} values in {target} are {what} over the last {days} "
                    f"({bad:,} of {n:,} failing; warn below {_pct(check.warn)}, fail below {_pct(check.fail)}).")
    if check.kind == "validity":  # unique
        whole = total if total else per_bucket.get(0, {})  # no grouping set: 1-day window = bucket 0
        n, distinct = whole.get(a["n_all"]) or 0, whole.get(a["distinct_all"]) or 0
        if n == 0:
            return done(None, 0, 0, [], f"No rows of {target} in the last {days} to check uniqueness.")
        share = distinct / n
        samples = _duplicate_samples(con, b, check, as_of) if distinct < n else []
        return done(share, n, n - distinct, samples,
                    f"{check.column} in {target} is unique for {_pct(share)} of rows over the last {days} "
                    f"({n - distinct:,} duplicate rows; fail below {_pct(check.fail)}).")
    if check.kind == "volume":
        daily = [float(per_bucket.get(k, {}).get(a["amount"]) or 0) for k in range(1, check.trailing_days + 1)]
        current = float(per_bucket.get(0, {}).get(a["amount"]) or 0)
        median = statistics.median(daily)
        if median == 0 and current == 0:  # nothing today and nothing on most recent days: stopped
            return done(0.0, 0, 0, [], f"No rows of {target} in the last day nor on most of the "
                        f"previous {check.trailing_days} days: the feed looks stopped.")
        if median == 0:
            return done(None, current, 0, [], f"No volume baseline for {target}: the median of the last "
                        f"{check.trailing_days} days is 0.")
        ratio = current / median
        return done(ratio, current, 0, [],
                    f"{current:,.0f} rows of {target} in the last day vs a trailing {check.trailing_days}-day "
                    f"median of {median:,.0f} (ratio {ratio:.2f}; fail below {check.fail:.2f}).")
    newest = max((v[a["newest"]] for v in per_bucket.values() if v[a["newest"]] is not None), default=None)
    if newest is None:
        newest = _newest_ever(con, b, check, as_of)
    if newest is None:
        return CheckResult(check, as_of, None, "fail", 0, 0, (),
                           f"{target} has no {check.column} value at all up to {moment(as_of)}.")
    if isinstance(newest, date) and not isinstance(newest, datetime):
        newest = datetime(newest.year, newest.month, newest.day, tzinfo=UTC)
    age_h = (as_of - _utc(newest)).total_seconds() / 3600
    return done(age_h, per_bucket.get(0, {}).get(a["n"]) or 0, 0, [],  # n_rows: rows of the last day
                f"Newest data in {target} is {_age(age_h)} old ({check.column} {moment(_utc(newest))}; "
                f"warn after {check.warn:g} h, fail after {check.fail:g} h).")


def _age(hours: float) -> str:
    return f"{hours / 24:.0f} days" if hours >= 48 else f"{hours:.1f} hours"


def _samples(con, b: _Builder, check: Check, cond: str, as_of: datetime) -> list[dict]:
    """Up to SAMPLE_ROWS failing rows of the check's window, newest first (a bounded second query,
    only for breached checks). Looks at the last day first and widens to the whole window only when
    that day holds fewer than SAMPLE_ROWS failing rows, so a long window is rarely read twice."""
    found: list[dict] = []
    for days in sorted({1, int(check.window_days)}) if b.source.time_column else [0]:
        where, order = cond, ""
        if b.source.time_column:
            t = quote_ident(b.source.time_column)
            where += (f" and {t} <= cast($as_of as timestamptz) and {t} > cast($as_of as timestamptz) "
                      f"- to_days({days})")
            order = f" order by {t} desc"
        text = f"select {b.row_struct()} from {b.source.from_sql} where {where}{order} limit {SAMPLE_ROWS}"
        params = {**b.params, "as_of": as_of, "src_path": b.source.path}
        params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
        found = [r[0] for r in con.sql(text, params=params).fetchall()]
        if len(found) >= SAMPLE_ROWS:
            break
    return found


def _newest_ever(con, b: _Builder, check: Check, as_of: datetime):
    """The newest value when nothing arrived within the scanned horizon (a second query, only then)."""
    sub = _Builder(b.source)
    cond = sub.where(check)
    if b.source.time_column:
        cond += f" and {quote_ident(b.source.time_column)} <= cast($as_of as timestamptz)"
    text = f"select max({quote_ident(check.column)}) from {b.source.from_sql} where {cond}"
    params = {**sub.params, "as_of": as_of, "src_path": b.source.path}
    params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
    return con.sql(text, params=params).fetchall()[0][0]


def _duplicate_samples(con, b: _Builder, check: Check, as_of: datetime) -> list[dict]:
    """Up to SAMPLE_ROWS duplicated key values with their counts (a second, bounded query)."""
    col = quote_ident(check.column)
    t = quote_ident(b.source.time_column) if b.source.time_column else None
    sub = _Builder(b.source)
    cond = sub.where(check)
    if t:
        cond += (f" and {t} <= cast($as_of as timestamptz) and {t} > cast($as_of as timestamptz) "
                 f"- to_days({int(check.window_days)})")
    text = (f"select cast({col} as varchar) as value, count(*) as n_rows from {b.source.from_sql} "
            f"where {col} is not null and {cond} group by 1 having count(*) > 1 "
            f"order by n_rows desc, value limit {SAMPLE_ROWS}")
    params = {**sub.params, "as_of": as_of}
    if b.source.path:
        params["src_path"] = b.source.path
    params = {k: v for k, v in params.items() if re.search(rf"\${k}\b", text)}
    rows = con.sql(text, params=params).fetchall()
    return [{check.column: v, "n_rows": n} for v, n in rows]


def new_run_id() -> str:
    return f"run-{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def results_table(results: list[CheckResult], run_id: str) -> pa.Table:
    return pa.Table.from_pylist([r.row(run_id) for r in results], schema=QUALITY_RESULTS.schema)


def record(root: Path | str, results: list[CheckResult], *, run_id: str | None = None) -> str:
    """Append the results to ``quality_results`` (one file); return the run id."""
    run_id = run_id or new_run_id()
    append_results(root, results_table(results, run_id))
    return run_id


def append_results(root: Path | str, table: pa.Table) -> None:
    """The one writer of ``quality_results``: append ``results_table`` rows (one run or several) as one file."""
    storage.append(root, "quality_results", table)

