"""Pure logic and the write path of the readiness checklist (analytics.readiness.checklist).

Expected values are worked by hand from the inline events written in each test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pyarrow.parquet as pq
import pytest

from analytics.errors import InputError
from analytics.lakehouse import connection, storage
from analytics.readiness import compact, items, record, summary
from analytics.readiness import state as checklist_state

D = datetime(2026, 9, 1, tzinfo=UTC)


def at(days: int) -> datetime:
    return D + timedelta(days=days)


def n_files(root) -> int:
    return len(storage.data_files(root / "checklist_events"))


# ---------------------------------------------------------------- validation (pure)

def test_default_items_are_the_issue_list():
    assert items.ITEM_IDS == ("data_catalog", "governance_policy", "mlops_pipeline", "model_registry",
                           "monitoring_dashboards", "training_sessions", "roi_tracking")
    assert items.STATUSES == ("not_started", "in_progress", "done", "blocked")
    assert items.DEFAULTS["training_sessions"].owner == "Learning & Development"


@pytest.mark.parametrize("change, message", [
    (items.Change("nope", status="done"), "Unknown checklist item 'nope'"),
    (items.Change("data_catalog", status="finished"), "Status 'finished' is not one of"),
    (items.Change("data_catalog", due_date="2026-13-01"), "not a valid date"),
    (items.Change("data_catalog", due_date="tomorrow"), "YYYY-MM-DD"),
    (items.Change("data_catalog", due_date="1900-01-01"), "out of range"),
    (items.Change("data_catalog", note="x" * 2001), "limit is 2,000"),
    (items.Change("data_catalog", evidence_url="javascript:alert(1)"), "http:// or https://"),
    (items.Change("data_catalog", owner="  "), "owner cannot be empty"),
    (items.Change("data_catalog"), "Nothing to change"),
])
def test_validate_rejects_bad_input(change, message):
    with pytest.raises(InputError, match=message):
        items.validate(change, items.ITEM_IDS)


def test_validate_normalises():
    out = items.validate(items.Change("data_catalog", due_date="2026-12-31", note="  hi  ", evidence_url=""),
                      items.ITEM_IDS)
    assert out.due_date == date(2026, 12, 31) and out.note == "hi" and out.evidence_url == ""
    assert items.validate(items.Change("data_catalog", note="x" * 2000), items.ITEM_IDS).note == "x" * 2000


def test_creating_needs_a_fresh_valid_id():
    with pytest.raises(InputError, match="already exists"):
        items.validate(items.Change("data_catalog", title="Again"), items.ITEM_IDS, creating=True)
    with pytest.raises(InputError, match="not a valid item id"):
        items.validate(items.Change("Bad Id!", title="x"), items.ITEM_IDS, creating=True)
    assert items.slug("Fairness audit (EU)") == "fairness_audit_eu"
    assert items.slug("2025 plan") == "item_2025_plan"


@pytest.mark.parametrize("call", [
    lambda r: record.set_item(r, "unknown_item", actor="ana", status="done"),
    lambda r: record.set_item(r, "data_catalog", actor="ana", status="finished"),
    lambda r: record.set_item(r, "data_catalog", actor="ana", due_date="31/12/2026"),
    lambda r: record.set_item(r, "data_catalog", actor="ana", note="n" * 5000),
    lambda r: record.set_item(r, "data_catalog", actor="", status="done"),
    lambda r: record.set_item(r, "data_catalog", actor="ana", colour="red"),
    # one bad change in a batch: nothing of the batch is written
    lambda r: record.record(r, [items.Change("data_catalog", status="done"), items.Change("x", status="done")],
                        actor="ana"),
])
def test_bad_input_writes_nothing(lake, call):
    with pytest.raises(InputError):
        call(lake.root)
    assert n_files(lake.root) == 0


# ---------------------------------------------------------------- state from events

def test_state_is_latest_non_null_value_per_field(lake):
    r = lake.root
    record.set_item(r, "data_catalog", actor="ana", status="in_progress", owner="Ana", now=at(0))
    record.set_item(r, "data_catalog", actor="bo", note="glossary drafted", now=at(1))
    record.set_item(r, "data_catalog", actor="cy", status="done", evidence_url="https://wiki/x", now=at(2))
    record.set_item(r, "data_catalog", actor="ana", note="", now=at(3))  # clears the note
    with lake.con() as con:
        row = checklist_state.state(con, as_of=date(2026, 9, 10)).row(0, named=True)
        hist = checklist_state.history(con, "data_catalog")
    assert row["item_id"] == "data_catalog"
    assert (row["status"], row["owner"], row["evidence_url"], row["note"]) == ("done", "Ana", "https://wiki/x",
                                                                                None)
    assert row["n_events"] == 4 and row["updated_by"] == "ana" and row["title"] == "Data Catalog"
    assert hist["actor"].to_list() == ["ana", "bo", "cy", "ana"]
    assert hist["note"].to_list() == [None, "glossary drafted", None, ""]


def test_a_due_date_can_be_cleared_and_set_again(lake):
    """Hand-worked: set, move, clear, then set again; the state follows, the history keeps every step,
    and state as of a day between the steps is the date that held then."""
    r = lake.root
    record.set_item(r, "roi_tracking", actor="ana", due_date="2026-10-01", now=at(0))
    record.set_item(r, "roi_tracking", actor="ana", due_date="2026-10-15", now=at(1))
    record.set_item(r, "roi_tracking", actor="bo", due_date="", note="no deadline agreed", now=at(2))
    with lake.con() as con:
        row = checklist_state.state(con, as_of=date(2026, 9, 10)).filter(item_id="roi_tracking").row(0, named=True)
        hist = checklist_state.history(con, "roi_tracking")
    assert row["due_date"] is None and not row["is_overdue"] and row["note"] == "no deadline agreed"
    assert hist["due_date"].to_list() == [date(2026, 10, 1), date(2026, 10, 15), None]
    assert hist["cleared"].to_list() == [None, None, ["due_date"]]
    record.set_item(r, "roi_tracking", actor="cy", due_date="2026-11-30", now=at(3))
    compact.compact(r, grace_seconds=0)  # survives compaction
    with lake.con() as con:
        assert checklist_state.state(con).filter(item_id="roi_tracking")["due_date"].item() == date(2026, 11, 30)
        assert checklist_state.state(con, as_of=at(2).date()).filter(item_id="roi_tracking")["due_date"].item() is None
        assert checklist_state.state(con, as_of=at(1).date()).filter(item_id="roi_tracking")["due_date"].item() \
            == date(2026, 10, 15)


def test_untouched_defaults_and_as_of(lake):
    r = lake.root
    record.set_item(r, "roi_tracking", actor="ana", status="done", now=at(0))
    record.set_item(r, "roi_tracking", actor="bo", status="blocked", now=at(20))
    with lake.con() as con:
        before = checklist_state.state(con, as_of=date(2026, 9, 10))
        after = checklist_state.state(con, as_of=date(2026, 9, 30))
        none = checklist_state.state(con, as_of=date(2026, 8, 1))
    assert before.height == 7 and before["item_id"].to_list() == list(items.ITEM_IDS)
    assert dict(zip(before["item_id"], before["status"], strict=True))["roi_tracking"] == "done"
    assert dict(zip(after["item_id"], after["status"], strict=True))["roi_tracking"] == "blocked"
    assert set(none["status"]) == {"not_started"} and none["n_events"].sum() == 0
    assert none.filter(item_id="training_sessions")["owner"].item() == "Learning & Development"


def test_overdue_is_past_due_and_not_done(lake):
    r = lake.root
    record.set_item(r, "data_catalog", actor="a", due_date="2026-09-05", status="in_progress", now=at(0))
    record.set_item(r, "model_registry", actor="a", due_date="2026-09-05", status="done", now=at(0))
    record.set_item(r, "mlops_pipeline", actor="a", due_date="2026-09-20", now=at(0))
    with lake.con() as con:
        s = checklist_state.state(con, as_of=date(2026, 9, 10))
    assert s.filter("is_overdue")["item_id"].to_list() == ["data_catalog"]


def test_custom_items_retire_and_restore(lake):
    r = lake.root
    iid = record.add_item(r, "Fairness audit", "Compliance Officer", actor="ana", due_date="2026-12-01", now=at(0))
    assert iid == "fairness_audit"
    record.set_item(r, iid, actor="bo", status="in_progress", now=at(1))
    with pytest.raises(InputError, match="already exists"):
        record.add_item(r, "Fairness audit", "x", actor="ana")
    record.retire_item(r, "training_sessions", actor="ana", now=at(2))
    with lake.con() as con:
        s = checklist_state.state(con, as_of=date(2026, 9, 10))
        all_ = checklist_state.state(con, as_of=date(2026, 9, 10), include_retired=True)
    assert s["item_id"].to_list() == [i for i in items.ITEM_IDS if i != "training_sessions"] + [iid]
    assert s.filter(item_id=iid).row(0, named=True)["is_custom"] is True
    assert all_.height == 8
    record.retire_item(r, "training_sessions", actor="ana", retired=False, now=at(3))
    with lake.con() as con:
        assert checklist_state.state(con, as_of=date(2026, 9, 10)).height == 8


def test_templates_add_apply_retire(lake):
    r = lake.root
    record.add_template(r, "eu_ai_act", [("Risk Classification", "Compliance Officer"),
                                     ("Technical Documentation", "ML Ops Lead")], actor="ana", now=at(0))
    with lake.con() as con:
        t = checklist_state.templates(con)
        assert checklist_state.state(con).height == 7  # template rows are not checklist items
    assert t.filter(template_id="eu_ai_act")["item_id"].to_list() == ["risk_classification",
                                                                       "technical_documentation"]
    added = record.apply_template(r, "eu_ai_act", actor="bo", now=at(1))
    assert added == ["risk_classification", "technical_documentation"]
    assert record.apply_template(r, "eu_ai_act", actor="bo", now=at(2)) == []  # idempotent
    assert record.apply_template(r, "regulated", actor="bo", now=at(2)) == [
        "model_risk_validation", "fairness_audit", "data_retention"]
    assert record.retire_template(r, "eu_ai_act", actor="ana", now=at(3)) == 2
    with lake.con() as con:
        assert checklist_state.templates(con).filter(template_id="eu_ai_act").is_empty()
        assert checklist_state.state(con).height == 12  # applied items stay
    with pytest.raises(InputError, match="built in"):
        record.retire_template(r, "default", actor="ana")
    with pytest.raises(InputError, match="No template"):
        record.apply_template(r, "nope", actor="ana")


# ---------------------------------------------------------------- summary for the overview

def test_readiness_summary_hand_worked(lake):
    """As of 2026-10-15 (prev = 2026-09-15):
    data_catalog done on 09-02 -> done now and then; model_registry done 10-01 (not then);
    governance_policy blocked; mlops_pipeline due 10-01 in progress -> overdue;
    a custom item created 10-02 (not done). Now 8 items, 2 done; then 7 items, 1 done.
    No datasets in the lakehouse, so the catalog evidence says not done: 1 disagreement (catalog);
    model_registry has no production models either -> also a disagreement. -> 2."""
    r = lake.root
    record.set_item(r, "data_catalog", actor="a", status="done", now=at(1))
    record.set_item(r, "model_registry", actor="a", status="done", now=at(30))
    record.set_item(r, "governance_policy", actor="a", status="blocked", now=at(5))
    record.set_item(r, "mlops_pipeline", actor="a", status="in_progress", due_date="2026-10-01", now=at(5))
    record.add_item(r, "Data literacy", "HR", actor="a", now=at(31))
    with lake.con() as con:
        s = summary.readiness_summary(con, as_of=date(2026, 10, 15))
    assert s == items.ReadinessSummary(n_items=8, n_done=2, share_done=2 / 8, n_overdue=1, n_blocked=1,
                                    n_disagreements=2, prev_share_done=1 / 7)


def test_readiness_summary_empty_lakehouse(lake):
    with lake.con() as con:
        s = summary.readiness_summary(con, as_of=date(2026, 10, 15))
    assert (s.n_items, s.n_done, s.share_done, s.prev_share_done, s.n_disagreements) == (7, 0, 0.0, 0.0, 0)


def test_progress_by_owner(lake):
    r = lake.root
    record.set_item(r, "data_catalog", actor="a", status="done", owner="Ana", now=at(0))
    record.set_item(r, "model_registry", actor="a", status="blocked", owner="Ana", now=at(0))
    with lake.con() as con:
        p = checklist_state.progress_by_owner(checklist_state.state(con, as_of=date(2026, 9, 10)))
    ana = p.filter(owner="Ana").row(0, named=True)
    assert (ana["n_items"], ana["n_done"], ana["share_done"], ana["n_blocked"]) == (2, 1, 0.5, 1)
    total = p.filter(owner="All items").row(0, named=True)
    assert (total["n_items"], total["n_done"]) == (7, 1) and p["owner"].to_list()[-1] == "All items"


# ---------------------------------------------------------------- compaction

def test_compact_keeps_state_and_history(lake):
    r = lake.root
    for i in range(12):
        record.set_item(r, items.ITEM_IDS[i % 7], actor=f"u{i}", status=items.STATUSES[i % 4], note=f"n{i}", now=at(i))
    record.add_item(r, "Custom one", "Me", actor="a", now=at(13))
    with lake.con() as con:
        before_state, before_hist = checklist_state.state(con), checklist_state.history(con)
    rep = compact.compact(r)
    # the folded files stay readable for the grace period: every event is there twice, read once
    assert (rep.files_before, rep.events) == (13, 13) and n_files(r) == 14
    with lake.con() as con:
        assert checklist_state.state(con).equals(before_state)
        assert checklist_state.history(con).equals(before_hist)
    assert compact.compact(r, grace_seconds=0).path is None and n_files(r) == 1  # grace over: deleted
    with lake.con() as con:
        assert checklist_state.history(con).equals(before_hist)
    assert compact.compact(r).path is None  # nothing to fold


def test_duplicate_files_are_deduplicated(lake):
    """A reader that lists files between the compacted write and the removal sees events twice."""
    r = lake.root
    record.set_item(r, "data_catalog", actor="a", status="done", now=at(0))
    record.set_item(r, "data_catalog", actor="b", note="x", now=at(1))
    for p in storage.data_files(r / "checklist_events"):
        storage.atomic_write_parquet(pq.read_table(p), p.parent / storage.new_part_name())
    assert n_files(r) == 4
    with lake.con() as con:
        assert checklist_state.history(con).height == 2
        assert checklist_state.state(con).filter(item_id="data_catalog")["n_events"].item() == 2


def test_changes_from_edits():
    ids = ["data_catalog", "roi_tracking", "fairness_audit"]
    edits = {2: {"note": None, "title": "ignored"}, 0: {"status": "done", "due_date": "2026-12-01"}}
    assert items.changes_from_edits(ids, edits) == [
        items.Change("data_catalog", status="done", due_date="2026-12-01"),
        items.Change("fairness_audit", note=""),
    ]
    assert items.changes_from_edits(ids, {1: {"title": "x"}}) == []
    with pytest.raises(InputError, match="Row 4"):
        items.changes_from_edits(ids, {3: {"note": "x"}})
    # a cleared due-date cell clears the due date
    assert items.changes_from_edits(ids, {0: {"due_date": None}}) == [items.Change("data_catalog", due_date="")]


def test_writes_compact_automatically_past_the_threshold(lake, monkeypatch):
    monkeypatch.setattr(record, "AUTO_COMPACT_FILES", 5)
    for i in range(6):
        record.set_item(lake.root, "data_catalog", actor=f"u{i}", note=f"n{i}", now=at(i))
    folder = lake.root / "checklist_events"
    assert len(compact.live_files(folder)) == 1  # the 6th write found 6 files and folded them
    assert n_files(lake.root) == 7  # the 6 folded files stay readable for the grace period
    record.set_item(lake.root, "data_catalog", actor="u6", note="n6", now=at(6))
    assert len(compact.live_files(folder)) == 2
    with lake.con() as con:
        assert checklist_state.history(con)["note"].to_list() == [f"n{i}" for i in range(7)]


def test_demo_extra_tells_the_story(tmp_path):
    from analytics.demo.extras import checklist as demo_extra

    end = date(2026, 10, 31)
    runs = []
    for name in ("a", "b"):
        root = tmp_path / name
        demo_extra.extend(root, seed=7, end=end)
        with connection.connect(root) as con:
            runs.append((checklist_state.history(con).drop("event_id"), checklist_state.state(con, as_of=end)))
    assert runs[0][0].equals(runs[1][0])  # deterministic for (seed, end)
    hist, s = runs[0]
    assert hist["event_at"].max() < datetime(2026, 11, 1, tzinfo=UTC)  # nothing after "now"
    by = dict(zip(s["item_id"], s["status"], strict=True))
    assert s.height == 8 and sorted(i for i, st in by.items() if st == "done") == [
        "model_registry", "monitoring_dashboards", "roi_tracking"]
    assert by["governance_policy"] == "blocked"
    assert s.filter("is_overdue")["item_id"].to_list() == ["training_sessions"]
    assert s.filter(pl.col("status") == "in_progress")["due_date"].null_count() == 0
