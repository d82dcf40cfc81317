"""Empty states say what is missing and what to do, and are never wrong: on an empty lakehouse the
overview does not claim that every monitored model is fine or that every model paid back, the adoption
page does not claim that no team is lagging, and it asks for `scaleboard refresh` only while the
usage rollup has not been built; the quality page does not claim that every check passes."""

from __future__ import annotations

import pytest

from apptest import open_page


@pytest.fixture
def empty_lake(lake, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    return lake


def _infos(at) -> str:
    assert not at.exception, at.exception
    return " | ".join(i.value for i in at.info)


def test_overview_on_an_empty_lakehouse_claims_nothing(empty_lake):
    said = _infos(open_page("overview", "admin", timeout=90))
    assert "No model is monitored yet" in said and "scaleboard refresh" in said
    assert "every monitored model is within its thresholds" not in said
    assert "no payback to judge" in said
    assert "has paid back its cost" not in said


def test_adoption_asks_for_a_refresh_only_before_it_ran(empty_lake):
    said = _infos(open_page("adoption", "admin", timeout=90))
    assert "has not been built. Run `scaleboard refresh`" in said
    assert "No team is lagging" not in said
    assert "no team can be judged" in said

    empty_lake.refresh()
    said = _infos(open_page("adoption", "admin", timeout=90))
    assert "scaleboard refresh" not in said
    assert "No usage in this window for this selection" in said


def test_quality_without_results_does_not_say_every_check_passes(empty_lake):
    said = _infos(open_page("quality", "admin", timeout=90))
    assert "Every check passes" not in said
    assert "No quality results yet" in said


def test_demo_pages_keep_their_positive_empty_states_true(app_env):
    # on the demo, refresh has run and there is usage: the refresh hint never shows on adoption
    said = _infos(open_page("adoption", "admin", timeout=120))
    assert "scaleboard refresh" not in said
