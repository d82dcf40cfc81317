"""AppTest smoke test of the Compliance & fairness page: tracker, an edit appended, fairness audits."""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from apptest import open_page


def _open(role: str = "steward") -> AppTest:
    return open_page("compliance", role, name="Sven Andersson")


def test_compliance_page_renders(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Compliance & fairness"]
    metrics = {m.label: m.value for m in at.metric}
    assert {"Obligations tracked", "Compliant", "Overdue reviews", "Latest audit", "Worst disparate impact"} <= set(metrics)
    assert int(metrics["Overdue reviews"]) > 0
    assert at.selectbox(key="fa_model").value == "credit_risk_scoring"
    at.segmented_control(key="reg_kind").set_value("model").run()
    assert not at.exception and not at.error


def test_steward_edit_is_appended(demo_root, tmp_path, monkeypatch):
    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    at = _open()
    form_boxes = [s for s in at.selectbox if s.label == "Dataset"]
    form_boxes[0].set_value("crm_accounts")
    [s for s in at.selectbox if s.label == "Obligation"][0].set_value("subject_access_erasure")
    [s for s in at.text_input if s.label.startswith("Evidence")][0].set_value("not a url")
    [b for b in at.button if b.label == "Save edit"][0].click().run()
    assert any("not an http(s) URL" in e.value for e in at.error)
    [s for s in at.text_input if s.label.startswith("Evidence")][0].set_value("https://wiki.example.com/erasure")
    [b for b in at.button if b.label == "Save edit"][0].click().run()
    assert not at.exception, at.exception
    assert any("saved by Sven Andersson" in s.value for s in at.success)
    from analytics.governance import regulation
    from analytics.lakehouse import connection

    hist = regulation.history(connection.connect(root), asset_id="crm_accounts")
    assert hist.row(0, named=True)["actor"] == "Sven Andersson" and hist.height >= 2  # appended, not replaced
