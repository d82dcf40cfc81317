"""AppTest smoke test of the Data quality page on the tiny demo lakehouse (the seeded crm_accounts
incident must show), a steward acting on its task, and an empty lakehouse."""

from __future__ import annotations

import shutil

from streamlit.testing.v1 import AppTest

from apptest import open_page


def _open(role: str = "steward") -> AppTest:
    return open_page("quality", role, name="Sven Andersson")


def test_quality_page_shows_the_broken_feed(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Data quality"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Datasets failing"] == "1" and metrics["Open stewardship tasks"] == "1"
    assert metrics["Monthly value at risk"].startswith("$")
    failing = at.dataframe[0].value
    assert set(failing["dataset_id"]) == {"crm_accounts"} and "fresh" in set(failing["check_id"])
    impact = at.dataframe[1].value
    assert {"churn_propensity", "customer_lifetime_value"} <= set(impact["model_id"])
    at.selectbox(key="q_ds").set_value("pos_transactions").run()
    assert not at.exception and not at.error
    at.toggle(key="q_all_tasks").set_value(True).run()
    assert not at.exception and not at.error


def test_steward_acknowledges_with_a_reason(demo_root, tmp_path, monkeypatch):
    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    at = _open()

    def field(label: str):
        return next(t for t in at.text_input if t.label.startswith(label))

    def save():
        return next(b for b in at.button if b.label == "Save").click().run()

    at.radio[0].set_value("acknowledge")
    field("Reason").set_value("   ")
    save()
    assert any("reason is required" in e.value for e in at.error)
    at.radio[0].set_value("reassign")
    field("New assignee").set_value("Ana Lima")
    field("Reason").set_value("Ana runs the Salesforce extract")
    save()
    assert not at.exception, at.exception
    assert any("reassign saved by Sven Andersson" in s.value for s in at.success)
    from analytics.lakehouse import connection
    from analytics.quality import tasks

    row = tasks.current(connection.connect(root)).filter(tasks.pl.col("status") != "resolved").row(0, named=True)
    assert row["assignee"] == "Ana Lima" and row["last_actor"] == "Sven Andersson"


def test_executive_sees_no_task_form(app_env):
    at = _open("product_manager")
    assert not at.exception
    assert any("Stewards and admins" in c.value for c in at.caption)


def test_quality_page_on_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "empty"))
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("No quality results" in i.value for i in at.info)
