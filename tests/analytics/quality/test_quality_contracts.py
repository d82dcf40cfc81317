"""Contracts: parsing, validation, and errors that name the file and line."""

from __future__ import annotations

import pytest

from analytics.errors import InputError
from analytics.quality import contracts

GOOD = """\
dataset: crm_accounts
description: nightly CRM extract
checks:
  - id: tenure_complete
    kind: completeness
    table: features
    where: {model_id: churn_propensity, feature: account_tenure_months}
    column: value_num
    warn: 0.99
    fail: 0.95
  - id: fresh
    kind: timeliness
    table: dataset_batches
    where: {dataset_id: crm_accounts}
    column: newest_event_at
    warn: 30
    fail: 48
  - id: plan_values
    kind: validity
    table: features
    column: value_cat
    allowed: [basic, plus, premium]
    warn: 0.99
    fail: 0.9
"""


def test_parses_checks_with_defaults() -> None:
    c = contracts.parse(GOOD, file="crm_accounts.yaml")
    assert c.dataset_id == "crm_accounts"
    assert [x.check_id for x in c.checks] == ["tenure_complete", "fresh", "plan_values"]
    first = c.checks[0]
    assert first.where == (("model_id", "churn_propensity"), ("feature", "account_tenure_months"))
    assert first.time_column == "feature_at"  # the table's first timestamp column
    assert first.window_days == 1 and first.line == 4
    assert c.checks[1].time_column == "batch_at" and not c.checks[1].higher_is_better
    assert c.checks[2].rule == (("allowed", ("basic", "plus", "premium")),)


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace("kind: completeness", "kind: completness"), 5, "completness"),
    (GOOD.replace("column: value_num", "column: value_number"), 8, "value_number"),
    (GOOD.replace("warn: 30", "warn: 60"), 16, "must not exceed"),
    (GOOD.replace("warn: 0.99\n    fail: 0.95", "warn: 0.9\n    fail: 0.95"), 9, "at least"),
    (GOOD.replace("feature: account_tenure_months}", "featur: x}"), 7, "featur"),
    (GOOD.replace("    fail: 0.95\n", ""), 4, "numeric `fail:`"),
    (GOOD.replace("table: dataset_batches", "table: batches"), 13, "unknown table"),
    (GOOD.replace("allowed: [basic, plus, premium]", "regex: '(['"), 22, "invalid"),
    (GOOD.replace("  - id: fresh", "  - id: tenure_complete"), 11, "used twice"),
    (GOOD + "  - id: x\n    kind: volume\n    path: in.parquet\n    warn: 1\n    fail: 0.5\n", 25, "time_column"),
    (GOOD.replace("checks:", "checks: [\n"), 5, "not valid YAML"),
    (GOOD.replace("description:", "owner:"), 2, "unknown key 'owner'"),
])
def test_malformed_contract_names_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(InputError) as err:
        contracts.parse(text, file="crm_accounts.yaml")
    msg = str(err.value)
    assert msg.startswith(f"Contract crm_accounts.yaml, line {line}:"), msg
    assert words in msg


def test_file_name_must_match_dataset(tmp_path) -> None:
    (tmp_path / "crm.yaml").write_text(GOOD)
    with pytest.raises(InputError, match="name it crm_accounts.yaml"):
        contracts.load_file(tmp_path / "crm.yaml")


def test_load_all_and_only(tmp_path) -> None:
    (tmp_path / "crm_accounts.yaml").write_text(GOOD)
    (tmp_path / "other.yaml").write_text(GOOD.replace("dataset: crm_accounts", "dataset: other"))
    assert [c.dataset_id for c in contracts.load_all(tmp_path)] == ["crm_accounts", "other"]
    assert [c.dataset_id for c in contracts.load_all(tmp_path, only=["other"])] == ["other"]
    with pytest.raises(InputError, match="No contract for dataset"):
        contracts.load_all(tmp_path, only=["nope"])


def test_dump_round_trips() -> None:
    text = contracts.dump("d1", [{"id": "c", "kind": "completeness", "table": "predictions",
                                  "column": "score", "warn": 0.99, "fail": 0.9}])
    c = contracts.parse(text, file="d1.yaml")
    assert c.checks[0].column == "score" and c.checks[0].fail == 0.9
