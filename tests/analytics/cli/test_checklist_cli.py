"""`scaleboard checklist ...` end to end on a temporary lakehouse (analytics.cli.checklist)."""

from __future__ import annotations

import pytest

from analytics.cli import main
from analytics.lakehouse import storage
from analytics.readiness import state as checklist_state


def run(lake, *args: str) -> int:
    return main(["checklist", *args, "--lakehouse", str(lake.root)])


def n_files(lake) -> int:
    return len(storage.data_files(lake.root / "checklist_events"))


def test_set_list_history_compact(lake, capsys):
    assert run(lake, "set", "data_catalog", "--status", "done", "--by", "ana", "--note", "glossary live",
               "--evidence", "https://wiki.example.com/catalog", "--due", "2026-12-01") == 0
    assert run(lake, "set", "data_catalog", "--owner", "Data Steward (Ana)", "--by", "bo") == 0
    assert run(lake, "add", "Fairness audit", "--owner", "Compliance Officer", "--by", "cy") == 0
    capsys.readouterr()
    assert run(lake, "list", "--csv") == 0
    out = capsys.readouterr().out
    assert "data_catalog,done,not_started,Data Steward (Ana),2026-12-01" in out
    assert "fairness_audit,not_started" in out
    assert run(lake, "history", "data_catalog") == 0
    out = capsys.readouterr().out
    assert "glossary live" in out and "bo" in out
    assert run(lake, "compact", "--grace", "0") == 0
    assert "folded 3 files" in capsys.readouterr().out and n_files(lake) == 1
    with lake.con() as con:
        assert checklist_state.history(con).height == 3
        assert con.sql("select count(*) from audit_log where action like 'checklist.%'").fetchall()[0][0] == 3


def test_clearing_a_due_date_from_the_cli(lake, capsys):
    assert run(lake, "set", "roi_tracking", "--due", "2026-12-01", "--by", "ana") == 0
    assert run(lake, "set", "roi_tracking", "--due", "", "--by", "ana") == 0
    with lake.con() as con:
        assert checklist_state.state(con).filter(item_id="roi_tracking")["due_date"].item() is None
        assert checklist_state.history(con, "roi_tracking")["cleared"].to_list() == [None, ["due_date"]]


@pytest.mark.parametrize("args, message", [
    (["set", "nope", "--status", "done", "--by", "ana"], "Unknown checklist item 'nope'"),
    (["set", "data_catalog", "--status", "finished", "--by", "ana"], "Status 'finished' is not one of"),
    (["set", "data_catalog", "--due", "2026-02-30", "--by", "ana"], "not a valid date"),
    (["set", "data_catalog", "--note", "x" * 2001, "--by", "ana"], "limit is 2,000"),
    (["set", "data_catalog", "--by", "ana"], "Nothing to change"),
    (["history", "nope"], "Unknown checklist item"),
    (["template", "add", "x1", "--item", "no owner", "--by", "ana"], "Title=Owner"),
])
def test_bad_input_is_one_sentence_and_writes_nothing(lake, capsys, args, message):
    assert run(lake, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert n_files(lake) == 0


def test_templates_from_the_cli(lake, capsys):
    assert run(lake, "template", "add", "eu_ai_act", "--item", "Risk classification=Compliance Officer",
               "--item", "Technical documentation=ML Ops Lead", "--by", "ana") == 0
    assert run(lake, "template", "apply", "eu_ai_act", "--by", "ana") == 0
    assert "risk_classification, technical_documentation" in capsys.readouterr().out
    assert run(lake, "template", "retire", "eu_ai_act", "--by", "ana") == 0
    assert run(lake, "retire", "risk_classification", "--by", "ana") == 0
    with lake.con() as con:
        ids = checklist_state.state(con)["item_id"].to_list()
        assert "technical_documentation" in ids and "risk_classification" not in ids
        assert checklist_state.templates(con).filter(template_id="eu_ai_act").is_empty()
