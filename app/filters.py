"""Shared sidebar filters: date range, business unit, country. Pages read ``current()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import streamlit as st

from analytics.product import portfolio
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


PERIODS = ("Last 12 months", "This quarter", "Last quarter", "Year to date", "Custom")
DEFAULT_PERIOD = PERIODS[0]


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_range(period: str, last: date, first: date) -> tuple[date, date]:
    """The window a period preset means when the data ends on ``last`` (and starts on ``first``):
    "This quarter" is the quarter holding ``last``, up to ``last``; "Last quarter" the whole quarter
    before it. Clipped to ``first``; "Custom" and unknown names give the last 12 months."""
    if period == "This quarter":
        start, end = _quarter_start(last), last
    elif period == "Last quarter":
        end = _quarter_start(last) - timedelta(days=1)
        start = _quarter_start(end)
    elif period == "Year to date":
        start, end = date(last.year, 1, 1), last
    else:
        start, end = last - timedelta(days=364), last
    start = max(start, first)
    return start, max(start, end)


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
