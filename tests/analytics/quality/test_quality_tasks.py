"""Stewardship tasks, the run end to end (results, tasks, alerts), and `scaleboard check`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from analytics.alerts import open_alerts
from analytics.cli import main
from analytics.errors import InputError
from analytics.quality import contracts, runner, tasks

END = datetime(2026, 10, 31, tzinfo=UTC)
CONTRACT = """\
dataset: crm_accounts
checks:
  - {id: fresh, kind: timeliness, table: dataset_batches, where: {dataset_id: crm_accounts},
     column: newest_event_at, warn: 30, fail: 48}
  - {id: tenure, kind: completeness, table: features, column: value_num, window_days: 2, warn: 0.99, fail: 0.9,
     where: {model_id: churn, feature: tenure}}
"""


def _setup(lake, *, batches_until_days_ago: int = 0, null_from_days_ago: int | None = None) -> None:
    lake.put("datasets", [{"dataset_id": "crm_accounts", "name": "CRM", "owner": "Olga", "steward": "Sven"}])
    lake.put("models", [
        {"model_id": "churn", "name": "Churn", "business_unit": "M", "stage": "production", "task": "classification"},
        {"model_id": "churn_pilot", "name": "Pilot", "business_unit": "M", "stage": "pilot", "task": "classification"}])
    lake.put("lineage", [
        {"src_kind": "dataset", "src_id": "crm_accounts", "dst_kind": "feature", "dst_id": "churn.tenure"},
        {"src_kind": "feature", "src_id": "churn.tenure", "dst_kind": "model_version", "dst_id": "churn@v2"},
        {"src_kind": "feature", "src_id": "churn.tenure", "dst_kind": "model_version", "dst_id": "churn_pilot@v1"}])
    lake.put("value_ledger", [{"month": END.date().replace(day=1) - timedelta(days=31 * k), "model_id": "churn",
                               "category": "incremental_revenue", "amount_usd": v, "attribution": "estimated",
                               "entered_at": END} for k, v in enumerate([90.0, 60.0, 30.0])])
    lake.put("dataset_batches", [{"dataset_id": "crm_accounts", "batch_at": END - timedelta(days=d, hours=20),
                                  "n_rows": 100, "newest_event_at": END - timedelta(days=d, hours=22)}
                                 for d in range(batches_until_days_ago, 40)])
    lake.put("features", [{"feature_at": END - timedelta(hours=h), "model_id": "churn", "feature": "tenure",
                           "request_id": f"r{h}",
                           "value_num": None if null_from_days_ago is not None and h < 24 * null_from_days_ago
                           and h % 3 == 0 else 1.0} for h in range(1, 24 * 10)])
    folder = contracts.contracts_dir(lake.root)
    folder.mkdir(parents=True)
    (folder / "crm_accounts.yaml").write_text(CONTRACT)


def test_failing_run_opens_task_and_alerts_production_models(lake) -> None:
    _setup(lake, batches_until_days_ago=18)
    report = runner.run(lake.root, as_of=END)
    fresh = {r.check.check_id: r for r in report.results}["fresh"]
    assert fresh.status == "fail" and report.exit_code == 1
    assert fresh.metric_value == pytest.approx(18 * 24 + 22)
    con = lake.con()
    (task,) = tasks.current(con).iter_rows(named=True)
    assert (task["dataset_id"], task["assignee"], task["status"], task["check_id"]) == \
           ("crm_accounts", "Sven", "open", "fresh")
    alerts = con.sql("select model_id, kind, message, value_at_risk_usd from alerts").fetchall()
    # only the production model; value at risk = mean of the last three ledger months (90+60+30)/3
    assert alerts == [("churn", "freshness",
                       "The upstream feed crm_accounts is failing its freshness check: its newest data is 19 days old.",
                       60.0)]
    stored = con.sql("select count(*), count(distinct run_id) from quality_results").fetchall()
    assert stored == [(2, 1)]
    # a second failing run reuses the task and writes no duplicate alert
    runner.run(lake.root, as_of=END + timedelta(hours=1))
    con = lake.con()
    assert tasks.current(con).height == 1
    # one alert, kept current: its latest state carries this run's age of the newest data (an hour older)
    assert con.sql("select count(distinct alert_id) from alerts").fetchall()[0][0] == 1
    assert open_alerts(con)["value"].to_list() == [pytest.approx(18 * 24 + 23)]


def test_overlapping_runs_open_one_task_per_dataset(lake, monkeypatch) -> None:
    """Two check runs that evaluate at the same time (a slow nightly run and a manual one) open one
    task, not two: each decides from a fresh read under the tasks table's lock."""
    import threading

    _setup(lake, batches_until_days_ago=18)
    both_evaluated = threading.Barrier(2)
    evaluate = runner.qc.evaluate

    def evaluate_then_wait(*args, **kwargs):  # both runs have read "no open task" before either writes
        out = evaluate(*args, **kwargs)
        both_evaluated.wait(timeout=60)
        return out

    monkeypatch.setattr(runner.qc, "evaluate", evaluate_then_wait)
    errors: list[BaseException] = []

    def run(hours: int) -> None:
        try:
            runner.run(lake.root, as_of=END + timedelta(hours=hours), raise_alerts=False)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(h,)) for h in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    current = tasks.current(lake.con())
    assert current.height == 1 and current["status"].to_list() == ["open"]


def test_task_lifecycle_and_self_closing(lake) -> None:
    _setup(lake, null_from_days_ago=1)
    first = runner.run(lake.root, as_of=END)
    assert {r.check.check_id: r.status for r in first.results} == {"fresh": "pass", "tenure": "fail"}
    task_id = tasks.current(lake.con())["task_id"][0]
    with pytest.raises(InputError, match="reason is required"):
        tasks.acknowledge(lake.root, task_id, actor="Sven", reason="  ")
    tasks.acknowledge(lake.root, task_id, actor="Sven", reason="on it", now=END + timedelta(hours=3))
    tasks.reassign(lake.root, task_id, actor="Sven", assignee="Ana", reason="Ana owns the extract",
                   now=END + timedelta(hours=4))
    row = tasks.current(lake.con()).row(0, named=True)
    assert (row["status"], row["assignee"], row["response_hours"]) == ("acknowledged", "Ana", 3.0)
    # three days later the window holds no nulls: the check passes and the task closes itself
    later = END + timedelta(days=3)
    lake.put("features", [{"feature_at": later - timedelta(hours=h), "model_id": "churn", "feature": "tenure",
                           "request_id": f"n{h}", "value_num": 2.0} for h in range(1, 48)])
    lake.put("dataset_batches", [{"dataset_id": "crm_accounts", "batch_at": later - timedelta(hours=2),
                                  "n_rows": 100, "newest_event_at": later - timedelta(hours=3)}])
    runner.run(lake.root, as_of=later)
    row = tasks.current(lake.con()).row(0, named=True)
    assert row["status"] == "resolved" and row["last_actor"] == tasks.SYSTEM_ACTOR
    assert row["resolution_hours"] == pytest.approx(72.0)
    with pytest.raises(InputError, match="already resolved"):
        tasks.resolve(lake.root, task_id, actor="Sven", reason="done")


def test_plan_events_is_pure_and_reuses_open_task() -> None:
    class R:
        def __init__(self, ds, status):
            self.check = type("C", (), {"dataset_id": ds, "check_id": "c"})()
            self.status, self.message = status, "m"

    open_ = {"a": tasks.OpenTask("t1", "a", "x", "open", END)}
    ev = tasks.plan_events(open_, [R("a", "fail"), R("b", "warn"), R("c", "error")], {"c": "Cleo"}, at=END)
    assert [(e["dataset_id"], e["status"], e["assignee"]) for e in ev] == [("c", "open", "Cleo")]
    ev2 = tasks.plan_events(open_, [R("a", "pass")], {}, at=END)
    assert [(e["task_id"], e["status"]) for e in ev2] == [("t1", "resolved")]


def test_cli_exit_codes_and_malformed_contract_writes_nothing(lake, capsys) -> None:
    _setup(lake)
    args = ["check", "--lakehouse", str(lake.root), "--as-of", "2026-10-31"]

    def n_results() -> int:
        return lake.con().sql("select count(*) from quality_results").fetchall()[0][0]

    assert main([*args, "--dry-run"]) == 0 and n_results() == 0  # healthy; a dry run writes nothing
    assert main(args) == 0 and n_results() == 2
    capsys.readouterr()
    # five days later nothing new arrived: freshness fails and there are no rows to check -> exit 1
    assert main([*args[:-1], "2026-11-05T00:00", "--quiet"]) == 1 and n_results() == 4
    out = capsys.readouterr().out
    assert "FAIL crm_accounts/fresh" in out and "ok  " not in out  # --quiet: failing checks only
    (contracts.contracts_dir(lake.root) / "crm_accounts.yaml").write_text(CONTRACT.replace("warn: 30", "warn: x"))
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Contract crm_accounts.yaml, line 4" in err and "numeric `warn:`" in err
    assert n_results() == 4
    with pytest.raises(SystemExit):
        main(["check", "--as-of", "yesterday"])


def test_cli_source_override_checks_a_file_before_loading(lake, tmp_path, capsys) -> None:
    _setup(lake)
    incoming = tmp_path / "features.parquet"
    pl.DataFrame({"feature_at": [END - timedelta(hours=1)] * 4, "model_id": ["churn"] * 4,
                  "feature": ["tenure"] * 4, "value_num": [1.0, None, None, None]}).write_parquet(incoming)
    code = main(["check", "--lakehouse", str(lake.root), "--as-of", "2026-10-31", "--dry-run",
                 "--source", f"features={incoming}"])
    assert code == 1 and "25.0% of value_num" in capsys.readouterr().out
