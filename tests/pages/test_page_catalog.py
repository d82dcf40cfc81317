"""AppTest smoke test of the Catalog & lineage page on the tiny demo lakehouse."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from apptest import open_page


def _open(role: str = "steward") -> AppTest:
    return open_page("catalog", role)


def test_catalog_page_renders_coverage_and_lineage(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Catalog & lineage"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Catalogued datasets"] == "18"
    assert metrics["With owner and steward"] == "78%"  # 14 of 18 in the demo story
    assert at.selectbox(key="lin_node").value == "crm_accounts"  # the failing dataset first
    frames = [t.value for t in at.dataframe]
    assert any("churn_propensity" in set(df["model_id"]) for df in frames if "model_id" in df.columns)
    at.selectbox(key="cat_domain").set_value("customer").run()
    assert not at.exception and not at.error
    assert set(at.dataframe[0].value["domain"]) == {"Customer"}  # the code "customer" reads as a word
    at.selectbox(key="lin_kind").set_value("model_version").run()
    assert not at.exception and not at.error


def test_catalog_page_on_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "empty"))
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("No lineage" in i.value for i in at.info)
