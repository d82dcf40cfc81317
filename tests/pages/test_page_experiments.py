"""AppTest smoke test of the Experiments page on the tiny demo lakehouse and an empty one."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from apptest import open_page


def _open() -> AppTest:
    return open_page("experiments", "product_manager", timeout=60)


def test_experiments_page_renders_and_switches_tests(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Experiments"]
    labels = {m.label for m in at.metric}
    assert {"Verdict (primary metric)", "Lift", "Chance to win", "Sample ratio"} <= labels
    seen = {}
    for i in range(len(at.selectbox(key="experiment_pick").options)):
        at.selectbox(key="experiment_pick").select_index(i).run()
        assert not at.exception, at.exception
        assert not at.error or "Sample ratio mismatch" in at.error[0].value
        seen[at.selectbox(key="experiment_pick").value] = {m.label: m.value for m in at.metric}
    assert len(seen) == len(at.selectbox(key="experiment_pick").options) > 1
    # the demo has a test with a broken split and one that is too small for a verdict
    assert any(m["Sample ratio"] == "Mismatch" for m in seen.values())
    assert any(m["Verdict (primary metric)"].startswith("Not enough data") for m in seen.values())
    assert len(at.get("download_button")) >= 3


def test_experiments_page_on_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "empty"))
    at = _open()
    assert not at.exception, at.exception
    assert any("No A/B tests" in i.value for i in at.info)
