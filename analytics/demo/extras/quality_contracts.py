"""Demo extra: one quality contract per catalogued dataset, then 60 days of check history.

Every dataset gets a freshness (timeliness) and a volume check on its loads (``dataset_batches``);
``crm_accounts`` and ``customer_profiles`` also get completeness and validity checks on the model
features they feed. The checks are evaluated as of midnight after each of the last 60 days (as a
nightly scheduler would), so the quality page shows trends, the ``crm_accounts`` incident opens a
task for its steward (acknowledged the next morning), and the final run raises the alerts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from analytics.lakehouse import connection
from analytics.quality import contracts, runner, tasks

HISTORY_DAYS = 60


def _feature_check(cid: str, kind: str, model: str, feature: str, column: str, **rule) -> dict:
    return {"id": cid, "kind": kind, "table": "features", "where": {"model_id": model, "feature": feature},
            "column": column, "window_days": 14, **rule}


EXTRA_CHECKS: dict[str, list[dict]] = {
    "crm_accounts": [
        _feature_check("tenure_complete", "completeness", "churn_propensity", "account_tenure_months",
                       "value_num", warn=0.97, fail=0.9),
        _feature_check("spend_complete", "completeness", "churn_propensity", "monthly_spend", "value_num",
                       warn=0.97, fail=0.9),
        _feature_check("tenure_range", "validity", "churn_propensity", "account_tenure_months", "value_num",
                       min=0, max=600, warn=0.99, fail=0.95),
        _feature_check("plan_allowed", "validity", "churn_propensity", "plan", "value_cat",
                       allowed=["basic", "plus", "premium"], warn=0.99, fail=0.95),
    ],
    "customer_profiles": [
        _feature_check("gender_allowed", "validity", "credit_risk_scoring", "gender", "value_cat",
                       allowed=["female", "male", "non_binary"], warn=0.99, fail=0.95),
        _feature_check("gender_complete", "completeness", "credit_risk_scoring", "gender", "value_cat",
                       warn=0.98, fail=0.9),
    ],
}


def contract_checks(dataset_id: str, sla_hours: float | None) -> list[dict]:
    # daily loads: a feed is late once a day's load is missing; fail a day after that
    warn = max(sla_hours or 24.0, 24.0) + 24
    base = [
        {"id": "fresh", "kind": "timeliness", "table": "dataset_batches", "where": {"dataset_id": dataset_id},
         "column": "newest_event_at", "warn": warn, "fail": warn + 24},
        {"id": "volume", "kind": "volume", "table": "dataset_batches", "where": {"dataset_id": dataset_id},
         "measure": "n_rows", "trailing_days": 28, "warn": 0.6, "fail": 0.4},
    ]
    return base + EXTRA_CHECKS.get(dataset_id, [])


def write_contracts(root: Path) -> list[Path]:
    con = connection.connect(root, tables=["datasets"])
    try:
        rows = con.sql("select dataset_id, name, freshness_sla_hours from datasets order by dataset_id").fetchall()
    finally:
        con.close()
    folder = contracts.contracts_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for dataset_id, name, sla in rows:
        text = contracts.dump(dataset_id, contract_checks(dataset_id, sla), description=f"Checks for {name}")
        path = folder / f"{dataset_id}.yaml"
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text)
        tmp.replace(path)
        written.append(path)
    return written


def extend(root: Path, *, seed: int, end: date) -> None:  # noqa: ARG001 - deterministic without rng
    write_contracts(root)
    # checked at the end of the demo's last day, but never later than now: a demo that ends today must
    # not show checks "last evaluated" tomorrow
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    last = min(datetime(end.year, end.month, end.day, tzinfo=UTC) + timedelta(days=1), now)
    runner.backfill(root, [last - timedelta(days=k) for k in range(HISTORY_DAYS - 1, -1, -1)])
    # the steward picks the crm task up the next morning (a response time on the page)
    con = connection.connect(root, tables=["stewardship_tasks"])
    try:
        open_now = tasks.open_tasks(con)
    finally:
        con.close()
    task = open_now.get("crm_accounts")
    if task is not None and task.assignee:
        tasks.acknowledge(root, task.task_id, actor=task.assignee,
                          now=min(task.opened_at + timedelta(hours=9, minutes=20), datetime.now(UTC)),
                          reason="Looking into the nightly Salesforce extract with the CRM admins.")
