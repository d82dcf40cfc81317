"""AppTest smoke test of the Value & ROI page, including a ledger entry through the form."""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from analytics.lakehouse import connection
from apptest import open_page


def _open(role: str = "product_manager") -> AppTest:
    return open_page("roi", role, name="Pat PM")


def test_roi_page_renders_and_reacts(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Value & ROI"]
    metrics = {m.label: m.value for m in at.metric}
    assert {"Benefit", "Cost", "Value delivered", "Portfolio ROI", "Value to date"} <= set(metrics)
    assert metrics["Benefit"].startswith("$")
    assert len(at.get("download_button")) >= 6
    before = {m.label: m.value for m in at.metric}["Scenario / year"]
    at.slider(key="whatif_adoption").set_value(60).run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Scenario / year"] != before
    at.multiselect(key="f_bu").select("Finance").run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Benefit"] != metrics["Benefit"]


def test_form_entry_appends_with_the_user_name(demo_root, tmp_path, monkeypatch):
    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    at = _open()
    at.number_input(key="lf_amount").set_value(4321.0)
    at.button(key="FormSubmitter:ledger_form-Add entry").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    con = connection.connect(root)
    rows = con.sql("select amount_usd, entered_by from value_ledger where amount_usd = 4321").fetchall()
    assert rows == [(4321.0, "Pat PM")]


def test_executives_cannot_edit_the_ledger(app_env):
    at = _open("executive")
    assert not at.exception
    assert any("Only product managers" in c.value for c in at.caption)


def test_roi_page_on_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "empty"))
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("No ledger figures" in i.value for i in at.info)
