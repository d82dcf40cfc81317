"""Smoke test of the drift explorer on the demo lakehouse: preselection from the URL, the drift
table, and a changed widget re-run without exceptions."""

from __future__ import annotations

import pytest

from apptest import page_path, signed_in


@pytest.mark.slow
def test_drift_page_renders_and_reacts(app_env) -> None:
    at = signed_in("data_scientist", timeout=120)
    at.query_params["model"] = "churn_propensity"
    at.switch_page(page_path("drift"))
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Drift explorer"
    assert at.selectbox(key="drift_model").value == "churn_propensity"
    labels = [m.label for m in at.metric]
    assert "Features drifted" in labels and "Share drifted" in labels
    assert not [e for e in at.error], [e.value for e in at.error]
    at.radio(key="drift_ref_kind").set_value("Previous period").run()
    assert not at.exception, at.exception
    assert not [e for e in at.error], [e.value for e in at.error]
