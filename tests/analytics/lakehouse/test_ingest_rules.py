"""Ingest holds the same rules as the pages: times not in the future, who-did-it names stamped from
the loader, the ledger's own rules (through ``product.roi``), keys unique across the whole table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from analytics.cli import main as cli
from analytics.lakehouse import connection, ingest


@pytest.fixture
def base(lake):
    lake.put("models", [{"model_id": "m1", "name": "Churn", "business_unit": "Retail", "stage": "production",
                         "task": "classification"}])
    return lake


def _csv(tmp_path, name: str, text: str):
    f = tmp_path / name
    f.write_text(text)
    return f


def _rows(root, sql: str):
    con = connection.connect(root)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


LEDGER_HEAD = "month,model_id,category,amount_usd,attribution,entered_at\n"


def test_a_ledger_row_from_2099_is_refused(base, tmp_path):
    f = _csv(tmp_path, "ledger.csv", LEDGER_HEAD + "2026-03-01,m1,incremental_revenue,100,estimated,2099-01-01T00:00:00Z\n")
    with pytest.raises(ingest.IngestError, match=r"ledger.csv, row 1, column 'entered_at': is in the future"):
        ingest.ingest(base.root, "value_ledger", [f], actor="t")
    assert _rows(base.root, "select count(*) from value_ledger") == [(0,)]


def test_times_within_the_clock_skew_and_planned_ends_are_accepted(base, tmp_path):
    soon = datetime.now(UTC) + timedelta(minutes=5)
    f = _csv(tmp_path, "ledger.csv", LEDGER_HEAD + f"2026-03-01,m1,incremental_revenue,100,estimated,{soon:%Y-%m-%dT%H:%M:%S}Z\n")
    assert ingest.ingest(base.root, "value_ledger", [f], actor="t").rows == 1
    g = _csv(tmp_path, "defs.csv", "experiment_id,model_id,control,ended_at\ne1,m1,A,2099-01-01T00:00:00Z\n")
    assert ingest.ingest(base.root, "experiment_defs", [g], actor="t").rows == 1  # a planned end


def test_checklist_actors_are_the_loader_not_the_file(base, tmp_path):
    f = _csv(tmp_path, "events.csv", "event_id,event_at,actor,item_id,status\n"
                                    "e1,2026-03-01T10:00:00Z,The CEO,data_owner,done\n")
    g = _csv(tmp_path, "no_actor.csv", "event_id,event_at,item_id,status\ne2,2026-03-02T10:00:00Z,data_owner,blocked\n")
    assert cli(["ingest", "checklist_events", str(f), str(g), "--by", "Alice Loader",
                "--lakehouse", str(base.root)]) == 0
    assert _rows(base.root, "select event_id, actor from checklist_events order by event_id") == [
        ("e1", "Alice Loader"), ("e2", "Alice Loader")]


def test_fairness_sign_offs_name_the_loader(base, tmp_path):
    f = _csv(tmp_path, "audits.csv", "audit_id,audited_at,model_id,group_value,signed_off_by,signed_off_at\n"
                                    "a1,2026-03-01T10:00:00Z,m1,F,Chief Risk Officer,2026-03-02T10:00:00Z\n"
                                    "a1,2026-03-01T10:00:00Z,m1,M,,\n")
    ingest.ingest(base.root, "fairness_audits", [f], actor="bob")
    assert _rows(base.root, "select group_value, signed_off_by from fairness_audits order by group_value") == [
        ("F", "bob"), ("M", None)]


@pytest.mark.parametrize(("row", "message"), [
    ("2026-03-15,m1,incremental_revenue,100,estimated,,", "must be the first day of a month"),
    ("2026-03-01,m1,cost_savings,-5,estimated,,", "amount_usd must not be negative"),
    ("2026-03-01,m1,cost_savings,100,estimated,150,200", "must contain amount_usd"),
    ("2026-03-01,m1,cost_savings,100,estimated,50,", "give both ci_low_usd and ci_high_usd"),
])
def test_ledger_rows_obey_the_value_pages_rules(base, tmp_path, row, message):
    f = _csv(tmp_path, "ledger.csv", "month,model_id,category,amount_usd,attribution,ci_low_usd,ci_high_usd,entered_at\n"
                                    "2026-02-01,m1,people,10,estimated,,,2026-03-01T00:00:00Z\n"
                                    f"{row},2026-03-01T00:00:00Z\n")
    with pytest.raises(ingest.IngestError) as err:
        ingest.ingest(base.root, "value_ledger", [f], actor="t")
    assert "ledger.csv: Row 2:" in str(err.value) and message in str(err.value), str(err.value)
    assert _rows(base.root, "select count(*) from value_ledger") == [(0,)]


def test_a_second_outcome_for_a_request_in_a_later_month_is_refused(base, tmp_path):
    base.put("outcomes", [{"request_id": "r1", "model_id": "m1", "observed_at": datetime(2026, 3, 5, tzinfo=UTC),
                           "label": 1.0}])
    f = _csv(tmp_path, "late.csv", "request_id,model_id,observed_at,label\nr1,m1,2026-05-05T00:00:00Z,0\n"
                                  "r2,m1,2026-05-05T00:00:00Z,1\n")
    with pytest.raises(ingest.IngestError, match=r"late.csv, row 1, column 'request_id': this key already exists"):
        ingest.ingest(base.root, "outcomes", [f], actor="t")
    assert _rows(base.root, "select count(*) from outcomes") == [(1,)]
