"""Shareable URLs: every page's state (the sidebar's period, dates, business units and countries; the
drift explorer's model, version, windows and feature; the experiment) is written to the URL, and a new
session opened on that URL shows the same widgets and the same figures. Invalid or forbidden values
fall back to the default with a notice, never an exception or another unit's data."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from analytics.lakehouse import connection
from analytics.product.scope import period_range
from app import auth
from apptest import MAIN, page_path

pytestmark = pytest.mark.slow


def _session(page: str, params: dict | None = None, *, role: str = "admin", units=()) -> AppTest:
    """A new session (a fresh browser) opened on ``page`` with these query parameters."""
    at = AppTest.from_file(MAIN, default_timeout=120)
    at.session_state["user"] = auth.test_session(role, business_units=units)
    at.query_params.update(params or {})
    at.run()
    at.switch_page(page_path(page))
    return at.run()


def _figures(at: AppTest) -> list:
    assert not at.exception, at.exception
    # an empty cell reads as NaN, which never equals itself: compare it as None
    return [(m.label, m.value) for m in at.metric] + [
        el.value.astype(object).where(el.value.notna(), None).to_dict() for el in at.dataframe]


def _no_error(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _notices(at: AppTest) -> str:
    """The notices about the link's values (other warnings, e.g. "drifted since", are the page's)."""
    return " | ".join(w.value for w in at.warning if w.icon in (":material/link_off:", ":material/lock:"))


def test_sidebar_filters_round_trip(app_env):
    at = _session("overview")
    first, last = at.date_input(key="f_dates").min, at.date_input(key="f_dates").value[1]
    at.selectbox(key="f_period").set_value("Last quarter").run()
    assert at.query_params["period"] == "Last quarter"
    assert (at.query_params["from"], at.query_params["to"]) == tuple(
        d.isoformat() for d in period_range("Last quarter", last, first))
    at.multiselect(key="f_bu").set_value(["Retail", "Finance"]).run()
    countries = at.multiselect(key="f_country").options[:2]
    at.multiselect(key="f_country").set_value(countries).run()
    assert at.query_params["business_unit"] == ["Retail", "Finance"]
    assert at.query_params["country"] == countries
    shown = _figures(at)

    again = _session("overview", dict(at.query_params))
    assert again.selectbox(key="f_period").value == "Last quarter"
    assert again.date_input(key="f_dates").value == at.date_input(key="f_dates").value
    assert again.multiselect(key="f_bu").value == ["Retail", "Finance"]
    assert again.multiselect(key="f_country").value == countries
    assert _figures(again) == shown
    assert not _notices(again)


def test_custom_dates_round_trip(app_env):
    at = _session("overview")
    at.date_input(key="f_dates").set_value((date(2026, 1, 1), date(2026, 3, 31))).run()
    assert at.query_params["period"] == "Custom"
    assert (at.query_params["from"], at.query_params["to"]) == ("2026-01-01", "2026-03-31")
    again = _session("overview", dict(at.query_params))
    assert again.date_input(key="f_dates").value == (date(2026, 1, 1), date(2026, 3, 31))
    assert again.selectbox(key="f_period").value == "Custom"
    assert _figures(again) == _figures(at)


@pytest.mark.parametrize(("params", "says"), [
    ({"period": "Last decade"}, "Period 'Last decade'"),
    ({"from": "2026-13-01", "to": "2026-03-31"}, "Dates 2026-13-01 to 2026-03-31"),
    ({"from": "2026-03-31", "to": "2026-01-01"}, "not a valid range"),
    ({"from": "1990-01-01", "to": "1990-03-31"}, "not a valid range"),
    ({"from": "2026-01-01"}, "Dates 2026-01-01 to ?"),
    ({"country": "Atlantis"}, "Atlantis: no such country"),
    ({"business_unit": "Nowhere"}, "Nowhere"),
])
def test_invalid_filter_falls_back_to_the_default_with_a_notice(app_env, params, says):
    default = _session("overview")
    at = _session("overview", params)
    assert not at.exception, at.exception
    assert says in _notices(at), _notices(at)
    assert at.selectbox(key="f_period").value == default.selectbox(key="f_period").value
    assert at.date_input(key="f_dates").value == default.date_input(key="f_dates").value
    assert at.multiselect(key="f_bu").value == [] and at.multiselect(key="f_country").value == []
    assert _figures(at) == _figures(default)


def test_forbidden_business_unit_in_the_url_shows_only_the_users_own(app_env):
    mine = _session("overview", role="product_manager", units=["Retail"])
    at = _session("overview", {"business_unit": "Finance"}, role="product_manager", units=["Retail"])
    assert "Finance" in _notices(at)
    assert at.multiselect(key="f_bu").value == []
    assert "business_unit" not in at.query_params
    assert _figures(at) == _figures(mine)


def test_drift_explorer_round_trip(app_env):
    at = _session("drift", {"model": "churn_propensity"})
    versions = at.selectbox(key="drift_version_churn_propensity").options
    at.selectbox(key="drift_version_churn_propensity").set_value(versions[-1]).run()
    at.radio(key="drift_ref_kind").set_value("Fixed range").run()
    key = f"churn_propensity_{versions[-1]}"
    cur_end = at.date_input(key=f"drift_cur_{key}").value[1]
    at.date_input(key=f"drift_cur_{key}").set_value((cur_end - timedelta(days=13), cur_end)).run()
    at.date_input(key=f"drift_ref_{key}").set_value((cur_end - timedelta(days=90), cur_end - timedelta(days=60))).run()
    feature = at.selectbox(key="drift_feature").options[-1]
    at.selectbox(key="drift_feature").set_value(feature).run()
    assert not at.exception, at.exception
    assert {k: at.query_params[k] for k in ("model", "version", "ref", "ref_from", "ref_to", "cur_from", "cur_to",
                                            "feature")} == {
        "model": "churn_propensity", "version": versions[-1], "ref": "fixed",
        "ref_from": (cur_end - timedelta(days=90)).isoformat(), "ref_to": (cur_end - timedelta(days=60)).isoformat(),
        "cur_from": (cur_end - timedelta(days=13)).isoformat(), "cur_to": cur_end.isoformat(), "feature": feature}

    again = _session("drift", dict(at.query_params))
    assert again.selectbox(key="drift_model").value == "churn_propensity"
    assert again.selectbox(key="drift_version_churn_propensity").value == versions[-1]
    assert again.radio(key="drift_ref_kind").value == "Fixed range"
    assert again.date_input(key=f"drift_cur_{key}").value == at.date_input(key=f"drift_cur_{key}").value
    assert again.date_input(key=f"drift_ref_{key}").value == at.date_input(key=f"drift_ref_{key}").value
    assert again.selectbox(key="drift_feature").value == feature
    assert _figures(again) == _figures(at)
    assert not _notices(again)
    _no_error(again)
    assert {"column", "status", "note"} <= set(again.dataframe[1].value.columns)  # the compact drift table


def test_drift_previous_period_round_trip(app_env):
    at = _session("drift", {"model": "churn_propensity"})
    at.radio(key="drift_ref_kind").set_value("Previous period").run()
    assert at.query_params["ref"] == "previous" and "ref_from" not in at.query_params
    again = _session("drift", dict(at.query_params))
    assert again.radio(key="drift_ref_kind").value == "Previous period"
    assert _figures(again) == _figures(at)


@pytest.mark.parametrize(("params", "says"), [
    ({"model": "no_such_model"}, "Model 'no_such_model' is not in your selection"),
    ({"model": "churn_propensity", "version": "v999"}, "Version 'v999'"),
    ({"model": "churn_propensity", "ref": "yesterday"}, "Reference 'yesterday'"),
    ({"model": "churn_propensity", "cur_from": "2026-02-30", "cur_to": "2026-03-01"}, "Dates 2026-02-30"),
    ({"model": "churn_propensity", "ref": "fixed", "ref_from": "2026-05-01", "ref_to": "2026-04-01"},
     "not a valid range"),
    ({"model": "churn_propensity", "feature": "shoe_size"}, "Feature 'shoe_size'"),
])
def test_invalid_drift_parameter_falls_back_with_a_notice(app_env, params, says):
    default = _session("drift", {"model": params["model"]} if params["model"] != "no_such_model" else None)
    at = _session("drift", params)
    assert not at.exception, at.exception
    assert says in _notices(at), _notices(at)
    assert _figures(at) == _figures(default)


def test_drift_url_with_another_units_model_shows_none_of_its_data(app_env, demo_root):
    con = connection.connect(demo_root)
    finance = con.sql("select model_id from models where business_unit = 'Finance' order by 1").fetchall()[0][0]
    retail = {r[0] for r in con.sql("select model_id from models where business_unit = 'Retail'").fetchall()}
    at = _session("drift", {"model": finance}, role="product_manager", units=["Retail"])
    assert "is not in your selection" in _notices(at)
    assert at.selectbox(key="drift_model").value in retail
    assert at.query_params["model"] in retail


def test_experiment_round_trip_and_unknown_test(app_env):
    at = _session("experiments")
    tests = at.selectbox(key="experiment_pick").options
    at.selectbox(key="experiment_pick").select_index(len(tests) - 1).run()
    picked = at.selectbox(key="experiment_pick").value
    assert at.query_params["test"] == picked
    again = _session("experiments", dict(at.query_params))
    assert again.selectbox(key="experiment_pick").value == picked
    assert _figures(again) == _figures(at)

    bad = _session("experiments", {"test": "exp_nope"})
    assert not bad.exception, bad.exception
    assert "Test 'exp_nope'" in _notices(bad)
    assert bad.selectbox(key="experiment_pick").value == _session("experiments").selectbox(key="experiment_pick").value


def test_open_drift_links_carry_the_alerts_model_version_and_windows(app_env, demo_root):
    at = _session("overview")
    links = pl.from_pandas(at.dataframe[0].value)["explore"].to_list()
    assert links
    con = connection.connect(demo_root)
    for link in links:
        params = dict(p.split("=", 1) for p in link.split("?", 1)[1].split("&"))
        # oracle: the latest version by registration and its last day with drift profiles
        version = con.execute("select version from model_versions where model_id = ? order by registered_at desc "
                              "limit 1", [params["model"]]).fetchone()[0]
        last = con.execute("select max(day) from drift_profiles where model_id = ? and version = ?",
                           [params["model"], version]).fetchone()[0]
        assert params == {"model": params["model"], "version": version, "ref": "training",
                          "cur_from": (last - timedelta(days=29)).isoformat(), "cur_to": last.isoformat()}
        drift = _session("drift", params)
        assert not _notices(drift)
        assert drift.selectbox(key="drift_model").value == params["model"]
        assert drift.date_input(key=f"drift_cur_{params['model']}_{version}").value == (
            last - timedelta(days=29), last)
