"""The one UI write path (``app.writes.save``): permission checked on the server, the write, its audit
row, a cache refresh, and one confirmation shown once; a refused or invalid write leaves the lakehouse
and the audit log untouched. And no other module in app/ or pages/ writes, audits or confirms on its own."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.governance import audit
from analytics.lakehouse import connection, storage
from analytics.readiness import state as checklist_state
from app import auth

PROJECT = Path(__file__).resolve().parents[2]


def _script():
    import streamlit as st

    from analytics.readiness import record
    from app import data, writes

    writes.confirmation("here")
    if title := st.session_state.pop("add_title", None):
        writes.save("checklist.edit", lambda user: record.add_item(data.root(), title, "Compliance Officer",
                                                                   actor=user["name"]),
                    where="here", action="checklist.add", target=title, detail=f"added item '{title}'",
                    done=lambda item_id: f"Saved: {item_id} by you.")
    st.write(f"version {data.version()}")


@pytest.fixture
def root(lake, monkeypatch) -> Path:
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    return lake.root


def _app(role: str, title: str) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["user"] = auth.test_session(role, name=f"{role}-ann")
    at.session_state["add_title"] = title
    return at


def _audit_rows(root: Path):
    con = connection.connect(root)
    try:
        return audit.recent(con).select("actor", "role", "action", "target", "detail").rows()
    finally:
        con.close()


def test_an_allowed_write_is_saved_audited_and_confirmed_once(root):
    at = _app("steward", "Fairness audit").run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["Saved: fairness_audit by you."]
    assert not at.error
    con = connection.connect(root)
    try:
        row = checklist_state.state(con).filter(item_id="fairness_audit").row(0, named=True)
    finally:
        con.close()
    assert (row["owner"], row["updated_by"]) == ("Compliance Officer", "steward-ann")
    assert _audit_rows(root) == [("steward-ann", "steward", "checklist.add", "Fairness audit",
                                  "added item 'Fairness audit'")]
    # the page ran again after the write and read the new lakehouse version
    # (data and audit log tokens, app.data.version)
    now = f"{storage.lakehouse_version(root, skip_dirs=('audit_log',))}|{storage.lakehouse_version(root / 'audit_log')}"
    assert f"version {now}" in [m.value for m in at.markdown]
    at.run()  # confirmed once: the next run shows nothing
    assert not at.success and not at.error


def test_a_role_without_the_permission_writes_nothing(root):
    at = _app("data_scientist", "Fairness audit").run()
    assert not at.exception, at.exception
    assert not at.success
    assert len(at.error) == 1 and at.error[0].value.startswith("Nothing was saved. Your role (data_scientist) may not")
    assert storage.data_files(root / "checklist_events") == [] and _audit_rows(root) == []


def test_invalid_input_writes_nothing_and_says_why(root):
    at = _app("executive", "Data Catalog").run()  # collides with a default item
    assert not at.exception, at.exception
    assert len(at.error) == 1 and "Nothing was saved" in at.error[0].value and "already exists" in at.error[0].value
    assert storage.data_files(root / "checklist_events") == [] and _audit_rows(root) == []
    at.run()
    assert not at.error  # said once


def _calls(path: Path) -> set[str]:
    """Dotted names called in a file (``auth.audit``, ``data.invalidate``, ``st.rerun``, ...)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
            out.add(f"{node.func.value.id}.{node.func.attr}")
    return out


UI_FILES = sorted([*(PROJECT / "app").glob("*.py"), *(PROJECT / "pages").glob("*.py")])


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_only_the_write_path_audits_refreshes_and_confirms(path):
    if path.name in {"writes.py", "auth.py", "data.py"}:  # the path itself, and where its parts live
        return
    own = _calls(path) & {"auth.audit", "data.invalidate"}
    assert not own, f"{path.name} calls {own} itself; use app.writes.save"
    assert "flash" not in path.read_text(), f"{path.name} keeps its own confirmation; use writes.confirmation"


def test_the_structure_check_can_fail(tmp_path):
    bad = tmp_path / "x.py"
    bad.write_text("auth.require('ledger.edit')\nroi.record_entries(root, rows)\nauth.audit('ledger.edit')\n")
    assert {"auth.audit", "auth.require"} <= _calls(bad)

