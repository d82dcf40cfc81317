"""AppTest smoke test of the Readiness checklist page on a copy of the tiny demo lakehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.lakehouse import connection, storage
from analytics.readiness import state as checklist_state
from apptest import open_page


@pytest.fixture
def own_lake(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy: this test writes events and must not change the shared demo lakehouse."""
    root = tmp_path / "lakehouse"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    return root


def _open(role: str = "executive") -> AppTest:
    return open_page("readiness", role, name=f"{role}-tester")


def test_readiness_page_renders_with_demo_story(own_lake):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Readiness checklist"]
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Items done", "Overdue", "Blocked", "Disagreements"}
    # the demo story: 3 of 8 done, training sessions overdue, governance blocked, monitoring disputed
    assert (metrics["Items done"], metrics["Overdue"], metrics["Blocked"], metrics["Disagreements"]) == (
        "38%", "1", "1", "1")
    assert any("Monitoring Dashboards" in w.value and "evidence says" in w.value for w in at.warning)
    assert len(at.get("download_button")) >= 3
    # history of another item
    at.selectbox(key="ck_history_item").set_value("governance_policy").run()
    assert not at.exception and not at.error


def test_add_and_retire_items_from_the_page(own_lake):
    at = _open()
    at.text_input(key="ck_new_title").set_value("Fairness audit")
    at.text_input(key="ck_new_owner").set_value("Compliance Officer")
    at.button(key="FormSubmitter:ck_add-Add item").click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value for s in at.success), [e.value for e in at.error]
    con = connection.connect(own_lake)
    try:
        row = checklist_state.state(con).filter(item_id="fairness_audit").row(0, named=True)
        assert row["owner"] == "Compliance Officer" and row["updated_by"] == "executive-tester"
    finally:
        con.close()
    at.selectbox(key="ck_retire_item").set_value("training_sessions").run()
    at.button(key="ck_retire_go").click().run()
    assert not at.exception and not at.error
    con = connection.connect(own_lake)
    try:
        assert "training_sessions" not in checklist_state.state(con)["item_id"].to_list()
    finally:
        con.close()


def test_bad_input_shows_error_and_writes_nothing(own_lake):
    before = len(storage.data_files(own_lake / "checklist_events"))
    at = _open()
    at.text_input(key="ck_new_title").set_value("Data Catalog")  # collides with a default item
    at.text_input(key="ck_new_owner").set_value("Someone")
    at.button(key="FormSubmitter:ck_add-Add item").click().run()
    assert not at.exception
    assert any("Nothing was saved" in e.value and "already exists" in e.value for e in at.error)
    assert len(storage.data_files(own_lake / "checklist_events")) == before


def test_read_only_role_cannot_edit(own_lake):
    at = _open("data_scientist")
    assert not at.exception, at.exception
    assert any("Read only" in c.value for c in at.caption)
    assert not at.text_input  # no forms
