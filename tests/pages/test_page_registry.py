"""AppTest smoke test of the Model registry page on the tiny demo lakehouse."""

from __future__ import annotations

from apptest import open_page


def test_registry_page_lists_models_versions_and_engineering_kpis(app_env):
    at = open_page("registry", "data_scientist")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Model registry"]
    metrics = {m.label: m.value for m in at.metric}
    assert set(metrics) == {"Deployments per month", "Lead time", "Change-failure rate"}
    assert metrics["Lead time"].endswith("days")
    models = at.dataframe[0].value
    assert models.shape[0] >= 20 and "champion" in " ".join(str(a) for a in models["aliases"])
    versions = at.dataframe[1].value
    assert versions.shape[0] >= 1 and {"version", "approval"} <= set(versions.columns)
    at.text_input(key="reg_search").set_value("churn").run()
    assert not at.exception and not at.error
    assert list(at.dataframe[0].value["model_id"]) == ["churn_propensity"]
    at.text_input(key="reg_search").set_value("no such model anywhere").run()
    assert any("No model matches" in i.value for i in at.info)


def test_registry_page_on_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "empty"))
    at = open_page("registry", "executive")
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Lead time"] == "–"
