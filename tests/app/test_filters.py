"""The sidebar: presets as whole months (hand-worked cases in tests/analytics/product/test_scope.py),
the inclusion rule said in its help, and a business unit outside the user's data scope refused with a
notice, whether asked through the widget's state or the URL."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from analytics.product.scope import INCLUSION_RULE, period_range
from app import auth
from apptest import MAIN


def _scoped(units=("Retail",)) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=90)
    at.session_state["user"] = auth.test_session("product_manager", business_units=list(units))
    return at


def test_default_window_is_the_last_12_whole_months_and_the_help_says_the_rule(app_env):
    at = AppTest.from_file(MAIN, default_timeout=90)
    at.session_state["user"] = auth.test_session("executive")
    at.run()
    assert not at.exception
    start, end = at.date_input(key="f_dates").value
    assert (start, end) == period_range("Last 12 months", date(2026, 10, 31), date(2000, 1, 1))
    assert (start, end) == (date(2025, 11, 1), date(2026, 10, 31))
    assert INCLUSION_RULE in at.selectbox(key="f_period").help
    assert INCLUSION_RULE in at.date_input(key="f_dates").help


def test_a_unit_outside_the_scope_in_widget_state_is_refused_with_a_notice(app_env):
    at = _scoped()
    at.session_state["f_bu"] = ["Finance"]  # tampered: the widget never offered it
    at.run()
    assert not at.exception
    assert at.multiselect(key="f_bu").options == ["Retail"] and at.multiselect(key="f_bu").value == []
    assert any("Finance is outside your data scope" in w.value for w in at.sidebar.warning)


def test_a_unit_outside_the_scope_in_the_url_is_refused_with_a_notice(app_env):
    at = _scoped()
    at.query_params["business_unit"] = "Finance"
    at.run()
    assert not at.exception
    assert any("Finance is outside your data scope" in w.value for w in at.sidebar.warning)
