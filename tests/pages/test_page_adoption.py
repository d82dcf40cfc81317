"""AppTest smoke test of the Adoption page on the tiny demo lakehouse and an empty one."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from apptest import open_page


def _open(role: str = "product_manager") -> AppTest:
    return open_page("adoption", role, timeout=60)


def test_adoption_page_renders_and_reacts_to_filters(app_env):
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Adoption"]
    metrics = {m.label: m.value for m in at.metric}
    assert {"Adoption rate", "Eligible seats", "Active seats", "Regular seats"} <= set(metrics)
    assert metrics["Eligible seats"] not in ("0", "–")
    assert len(at.get("download_button")) >= 4
    at.segmented_control(key="adoption_dim").set_value("team").run()
    assert not at.exception and not at.error
    countries = at.multiselect(key="f_country").options
    at.multiselect(key="f_country").select(countries[0]).run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Eligible seats"] != metrics["Eligible seats"]


def test_adoption_page_on_an_empty_lakehouse(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "empty"))
    at = _open()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("No usage" in i.value for i in at.info)
