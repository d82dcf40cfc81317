"""One quality run: load contracts, evaluate, append results, open/close stewardship tasks and raise
alerts for the production models downstream of failing datasets (via lineage)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from analytics import alerts
from analytics.errors import InputError, QueryError
from analytics.governance import lineage
from analytics.lakehouse import connection, storage
from analytics.lakehouse.objectstore import locate
from analytics.quality import checks as qc
from analytics.quality import contracts, tasks
from analytics.quality.checks import CheckResult


@dataclass(frozen=True)
class RunReport:
    run_id: str | None  # None when nothing was written
    as_of: datetime
    results: tuple[CheckResult, ...]
    task_events: tuple[dict, ...]
    n_alerts: int
    problems: tuple[str, ...] = ()  # unreadable files of the checked tables (skipped)

    @property
    def n_failing(self) -> int:
        return sum(r.status in tasks.FAILING for r in self.results)

    @property
    def exit_code(self) -> int:
        """0 when nothing breaches a fail threshold (warnings allowed) and every file could be
        read, else 1."""
        return 1 if self.n_failing or self.problems else 0


def _connect_readable(root: Path, checks: list, evaluate):
    """(connection, evaluate(con), problems): when a query fails on a file whose footer reads but
    whose data pages do not, the checked tables' files are read whole, the damaged ones skipped
    (and reported), and the checks evaluated again; the results then cover the readable files."""
    tables = {c.table for c in checks if c.table}
    con = connection.connect(root)
    try:
        results = evaluate(con)
    except QueryError:
        damaged = {p: why for t in sorted(tables) for p in storage.data_files(root / t)
                   if (why := storage.check_file(p))}
        if not damaged:
            con.close()
            raise
        con.close()
        con = connection.connect(root, exclude=damaged)
        results = evaluate(con)
    problems = tuple(p for p in connection.problems(con) if p.split(":", 1)[0] in tables)
    return con, results, problems


def _label(r: CheckResult) -> str:
    c = r.check
    return str(dict(c.where).get("feature") or c.column or c.source)


def alert_message(r: CheckResult) -> str:
    """The alert's "why" in a full sentence, e.g. "The upstream feed crm_accounts is failing its
    freshness check: its newest data is 18 days old." (the feed and column keep the data's names)."""
    c = r.check
    feed = f"The upstream feed {c.dataset_id} is failing its"
    if c.kind == "timeliness":
        detail = (f"its newest data is {qc._age(r.metric_value)} old" if r.metric_value is not None
                  else "it has no data at all")
        return f"{feed} freshness check: {detail}."
    if r.metric_value is None:
        return f"{feed} {c.kind} check on {_label(r)}: there was nothing to check."
    if c.kind == "volume":
        return f"{feed} volume check: its daily rows are at {r.metric_value:.0%} of the usual."
    share = "filled in" if c.kind == "completeness" else "valid"
    return (f"{feed} {c.kind} check on {_label(r)}: {r.metric_value:.0%} of values are {share}, and it "
            f"fails below {c.fail:.0%}.")


def breaches(con: duckdb.DuckDBPyConnection, results: list[CheckResult],
             opened_at: dict[str, datetime]) -> list[alerts.Breach]:
    """One breach per failing dataset, alert kind (freshness for timeliness, else quality) and
    downstream production model (the first failing check of that kind speaks). The window starts when the
    dataset's task opened, so one incident is one alert however many runs see it."""
    failing = [r for r in results if r.status in tasks.FAILING]
    if not failing:
        return []
    hit = lineage.impact(con, sorted({r.check.dataset_id for r in failing}))
    out = []
    first: dict[tuple[str, str], CheckResult] = {}  # one alert per dataset and kind: the first failing check
    priority = {"timeliness": 0, "completeness": 1, "validity": 2, "volume": 3}
    for r in sorted(failing, key=lambda r: priority[r.check.kind]):
        first.setdefault((r.check.dataset_id, "freshness" if r.check.kind == "timeliness" else "quality"), r)
    for r in first.values():
        c = r.check
        for m in hit.filter(hit["dataset_id"] == c.dataset_id).iter_rows(named=True):
            out.append(alerts.Breach(
                model_id=m["model_id"], kind="freshness" if c.kind == "timeliness" else "quality",
                severity="critical", metric=c.check_id, subject=c.dataset_id, value=r.metric_value,
                threshold=c.fail, window_start_at=opened_at.get(c.dataset_id, r.checked_at),
                window_end_at=None, message=alert_message(r)))
    return out


def run(root: Path | str, *, as_of: datetime | None = None, folder: Path | None = None,
        only: list[str] | None = None, overrides: dict[str, Path] | None = None,
        write: bool = True, raise_alerts: bool = True) -> RunReport:
    """Evaluate every contract (or ``only`` some datasets) as of ``as_of`` (default now, UTC).

    With ``write`` the results are appended to ``quality_results``, tasks opened/closed and alerts
    raised, then alerts and task changes are delivered to the configured channels (``alerts.deliver``:
    the steward hears of a task opened or closed by the run; never raises); without it nothing is
    written or sent (a dry run). Raises ``InputError`` for a malformed contract
    before anything is evaluated or written.
    """
    root = locate(root)
    as_of = qc._utc(as_of or datetime.now(UTC))
    loaded = contracts.load_all(folder or contracts.contracts_dir(root), only=only)
    all_checks = [c for ct in loaded for c in ct.checks]
    con, results, problems = _connect_readable(
        root, [c for c in all_checks if c.table not in (overrides or {})],
        lambda con: qc.evaluate(con, all_checks, as_of=as_of, root=root, overrides=overrides))
    try:
        if not write:
            return RunReport(None, as_of, tuple(results), (), 0, problems)
        # decided and appended under the tasks table's lock, from a fresh read: two overlapping runs
        # (a slow nightly check and a manual one) must not both open a task for the same dataset
        with tasks.exclusive(root):
            open_before = tasks.read_open(root)
            events = tasks.plan_events(open_before, results, tasks.assignees(con), at=as_of)
            if events:
                tasks.append_events(root, events)
        open_after = tasks.apply_events(open_before, events)
        found = breaches(con, results, {d: t.opened_at for d, t in open_after.items()}) if raise_alerts else []
    finally:
        con.close()
    run_id = qc.record(root, results)
    n_alerts = 0
    if raise_alerts:  # raise new breaches; resolve the evaluated datasets' alerts that recovered
        n_alerts, _ = alerts.sync(root, found, kinds=("quality", "freshness"),
                                  subjects={ct.dataset_id for ct in loaded}, now=as_of)
    alerts.deliver(root, now=as_of)  # the run's clock: with --as-of, what it opened is recent to it
    return RunReport(run_id, as_of, tuple(results), tuple(events), n_alerts, problems)


def backfill(root: Path | str, as_ofs: list[datetime], *, folder: Path | None = None) -> list[RunReport]:
    """Evaluate the contracts as of each of ``as_ofs`` (consecutive days, any order), as if a nightly
    scheduler had run them: one scan per source for all days (``checks.evaluate_days``); results
    and task events are appended once at the end; alerts only for the last day."""
    root = locate(root)
    days = sorted(qc._utc(a) for a in as_ofs)
    if any((b - a) != timedelta(days=1) for a, b in zip(days, days[1:], strict=False)):
        raise InputError("Backfill times must be consecutive days (24 hours apart).")
    loaded = contracts.load_all(folder or contracts.contracts_dir(root))
    all_checks = [c for ct in loaded for c in ct.checks]
    con, series, problems = _connect_readable(
        root, all_checks,
        lambda con: qc.evaluate_days(con, all_checks, last=days[-1], days=len(days), root=root) if days else [])
    reports, all_events = [], []
    found: list[alerts.Breach] = []
    try:
        owners = tasks.assignees(con)
        with tasks.exclusive(root):  # as in run(): decide and append from a fresh read, under the lock
            open_now = tasks.read_open(root)
            for t, results in zip(days, series, strict=True):
                events = tasks.plan_events(open_now, results, owners, at=t)
                open_now = tasks.apply_events(open_now, events)
                all_events += events
                reports.append(RunReport(qc.new_run_id(), t, tuple(results), tuple(events), 0, problems))
            if all_events:
                tasks.append_events(root, all_events)
        if reports:
            found = breaches(con, list(reports[-1].results), {d: o.opened_at for d, o in open_now.items()})
    finally:
        con.close()
    if reports:
        qc.append_results(root, pa.concat_tables([qc.results_table(list(r.results), r.run_id) for r in reports]))
    if reports:
        alerts.sync(root, found, kinds=("quality", "freshness"), subjects={ct.dataset_id for ct in loaded},
                    now=reports[-1].as_of)
    return reports
