"""Shared sidebar filters: date range, business unit, country. Pages read ``current()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from analytics.product import portfolio
from analytics.product.portfolio import DEFAULT_PERIOD, PERIODS, period_range  # noqa: F401
from app import data, ui


@dataclass(frozen=True)
class Filters:
    start_date: date
    end_date: date
    business_units: tuple[str, ...] | None  # None = all
    countries: tuple[str, ...] | None

    def params(self) -> dict:
        """The filter values as bound-parameter kwargs for analytics functions."""
        return {"start_date": self.start_date, "end_date": self.end_date,
                "business_units": self.business_units, "countries": self.countries}


def _apply_period(last: date, first: date) -> None:
    """On a preset pick: move the date range (a widget's value can only be set before it is drawn)."""
    period = st.session_state.get("f_period", DEFAULT_PERIOD)
    if period != "Custom":
        st.session_state["f_dates"] = period_range(period, last, first)


def _dates_edited() -> None:
    st.session_state["f_period"] = "Custom"


def sidebar() -> None:
    data.begin_run()  # one lakehouse walk per script run (see app.data.version)
    with st.sidebar:
        st.caption("Filters apply to every page")
        try:
            opts = data.cached(portfolio.filter_options)
        except Exception as exc:  # the filters must never take the app down
            ui.show_error(exc)
            opts = portfolio.FilterOptions((), (), None, None)
        last = opts.max_date or date.today()
        first = opts.min_date or last - timedelta(days=365)
        default_start, _ = period_range(DEFAULT_PERIOD, last, first)
        st.selectbox("Period", PERIODS, key="f_period", on_change=_apply_period, args=(last, first),
                     help="Quarters and the year are calendar ones, up to the newest data "
                          f"({last:%-d %b %Y}). Pick Custom, or edit the dates, for any other window.")
        if "f_dates" not in st.session_state:
            st.session_state["f_dates"] = (default_start, last)
        picked = st.date_input("Date range", min_value=first, max_value=last, key="f_dates",
                               on_change=_dates_edited, help="Window for every metric on the page; "
                               "deltas compare with the window of the same length just before it.")
        start, end = (picked if isinstance(picked, tuple) and len(picked) == 2 else (default_start, last))
        bus = st.multiselect("Business unit", opts.business_units, key="f_bu", placeholder="All")
        ctry = st.multiselect("Country", opts.countries, key="f_country", placeholder="All")
        st.session_state["filters"] = Filters(start, end, tuple(bus) or None, tuple(ctry) or None)


def current() -> Filters:
    f = st.session_state.get("filters")
    if f is None:
        today = date.today()
        f = Filters(today - timedelta(days=364), today, None, None)
    return f
