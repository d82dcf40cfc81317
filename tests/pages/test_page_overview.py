"""AppTest smoke test of the executive overview on the tiny demo lakehouse (and an empty one)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from analytics.product.kpis import REGISTRY
from apptest import signed_in


def _app() -> AppTest:
    return signed_in("executive", timeout=60)


def _labels(at: AppTest) -> list[str]:
    return [m.label for m in at.metric]


def test_overview_renders_every_kpi_with_values(app_env):
    at = _app().run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Portfolio overview"]
    assert set(_labels(at)) == {k.title for k in REGISTRY}
    assert not [e.value for e in at.error], [e.value for e in at.error]
    values = {m.label: m.value for m in at.metric}
    assert values["Models in production"] not in ("0", "–")
    assert values["Value delivered"].startswith(("$", "-$"))
    assert "Download these figures" in [b.proto.label for b in at.get("download_button")]


def test_changing_a_filter_reruns_without_errors(app_env):
    at = _app().run()
    before = {m.label: m.value for m in at.metric}
    at.multiselect(key="f_bu").select("Finance").run()
    assert not at.exception and not at.error
    after = {m.label: m.value for m in at.metric}
    assert after["Models in production"] != before["Models in production"]
    at.date_input(key="f_dates").set_value((date(2026, 1, 1), date(2026, 3, 31))).run()
    assert not at.exception and not at.error


def test_period_presets_move_the_date_range_and_editing_dates_means_custom(app_env):
    from app.filters import period_range

    at = _app().run()
    last = at.date_input(key="f_dates").value[1]
    first = at.date_input(key="f_dates").min
    before = {m.label: m.value for m in at.metric}
    at.selectbox(key="f_period").set_value("Last quarter").run()
    assert not at.exception and not at.error
    assert tuple(at.date_input(key="f_dates").value) == period_range("Last quarter", last, first)
    assert {m.label: m.value for m in at.metric}["Value delivered"] != before["Value delivered"]
    assert at.caption[0].value.startswith(f"{period_range('Last quarter', last, first)[0]:%-d %b %Y}")
    at.date_input(key="f_dates").set_value((date(2026, 1, 1), date(2026, 3, 31))).run()
    assert at.selectbox(key="f_period").value == "Custom"


def test_empty_lakehouse_shows_empty_states_not_errors(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "nothing-here"))
    at = _app().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert any("No value-ledger rows" in i.value for i in at.info)


@pytest.mark.parametrize("bad", ["file"])
def test_lakehouse_path_that_is_a_file_is_explained(tmp_path, monkeypatch, bad):
    f = tmp_path / "lakehouse"
    f.write_text("not a folder")
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(f))
    at = _app().run()
    assert not at.exception
    assert any("not a folder" in e.value for e in at.error)


def test_country_filter_applies_or_the_panel_says_it_does_not(app_env):
    """Value and ROI cannot be split by country (the ledger has none): under a country filter each of
    their tiles and panels says so, and adoption never reads "0 of 0 seats"."""
    from analytics.lakehouse import connection

    con = connection.connect(app_env)
    empty = con.sql("""select u.business_unit, c.country from (select distinct business_unit from models) u,
                         (select distinct country from eligible_users) c
                       where not exists (select 1 from eligible_users e join models m using (model_id)
                                         where m.business_unit = u.business_unit and e.country = c.country)
                       limit 1""").fetchall()
    at = _app().run()
    at.multiselect(key="f_country").select("DE").run()
    assert not at.exception and not at.error
    said = [c.value for c in at.caption]
    assert sum("Country filter does not apply: the value ledger has no country." in c for c in said) >= 4
    assert any("Country filter does not apply: alerts have no country" in c for c in said)
    if empty:  # a unit with no eligible seat in a country: the tile says so instead of "0 of 0 seats"
        bu, country = empty[0]
        at.multiselect(key="f_country").unselect("DE").select(country).run()
        at.multiselect(key="f_bu").select(bu).run()
        assert not at.exception
        assert all("0 of 0 seats" not in str(m.proto) for m in at.metric)
        assert any("no eligible seats in this selection" in str(m.proto) for m in at.metric)


def test_unreadable_readiness_degrades_its_tile_and_table_only(demo_root, tmp_path, monkeypatch):
    """A checklist file whose due date is text: the readiness tile and table say so in plain words, every
    other tile still draws, and nothing raises (once a NameError, from an ``rd = None`` sentinel)."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from app import ui

    root = tmp_path / "lake"
    shutil.copytree(demo_root, root)
    pq.write_table(pa.table({"event_id": ["e-typed"], "event_at": [datetime(2026, 10, 1, tzinfo=UTC)],
                             "actor": ["someone"], "item_id": ["data_catalog"], "due_date": ["next Friday"]}),
                   root / "checklist_events" / "typed-by-hand.parquet")
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    at = _app().run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [ui.PLAIN_QUERY_ERROR]
    assert set(_labels(at)) == {k.title for k in REGISTRY if k.key != "readiness_progress"}
    assert any("readiness checklist could not be read" in i.value for i in at.info)
