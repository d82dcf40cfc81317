"""Shared sidebar filters (period, business unit, country) and the one ``Scope`` a page passes down.

``current()`` builds the Scope from the widgets' values and the signed-in user's data scope; it is
built again from those two sources on every run, so neither a widget value nor anything else in
the session can widen it (the data scope comes from the user file or the identity provider).
"""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics.product import portfolio
from analytics.product.scope import DEFAULT_PERIOD, INCLUSION_RULE, PERIODS, Scope, month_end, period_range
from app import auth, data, ui, urls

__all__ = ["PERIODS", "Scope", "current", "period_range", "sidebar"]


def _apply_period(last: date, first: date) -> None:
    """On a preset pick: move the date range (a widget's value can only be set before it is drawn)."""
    period = st.session_state.get("f_period", DEFAULT_PERIOD)
    if period != "Custom":
        st.session_state["f_dates"] = period_range(period, last, first)
    _edited()


def _dates_edited() -> None:
    st.session_state["f_period"] = "Custom"
    _edited()


def _edited() -> None:
    """A filter was changed by hand: a notice about the link's values no longer applies."""
    st.session_state.pop("f_url_notice", None)


def _options() -> portfolio.FilterOptions:
    try:
        return data.cached(portfolio.filter_options)
    except Exception as exc:  # the filters must never take the app down
        ui.show_error(exc)
        return portfolio.FilterOptions((), (), None, None)


def sidebar() -> None:
    data.begin_run()  # one lakehouse walk per script run (see app.data.version)
    opts = _options()
    allowed = auth.allowed_business_units()
    units = tuple(u for u in opts.business_units if allowed is None or u in allowed)
    last = opts.max_date or date.today()
    first = opts.min_date or last - timedelta(days=365)
    default = period_range(DEFAULT_PERIOD, last, first)
    _take_from_url(first, last, opts.countries)
    _keep_known_units(units)
    with st.sidebar:
        st.caption("Filters apply to every panel that has the data; a panel that cannot apply one says so.")
        st.selectbox("Period", PERIODS, key="f_period", on_change=_apply_period, args=(last, first),
                     help="Presets are whole calendar months or quarters, the last one holding the newest "
                          f"data ({last:%-d %b %Y}); the previous period is as many months just before. "
                          f"{INCLUSION_RULE} Pick Custom, or edit the dates, for any other window.")
        if "f_dates" not in st.session_state:
            st.session_state["f_dates"] = default
        st.date_input("Date range", min_value=first.replace(day=1), max_value=month_end(last + timedelta(days=92)),
                      key="f_dates", on_change=_dates_edited, help=INCLUSION_RULE)
        st.multiselect("Business unit", units, key="f_bu", on_change=_edited,
                       placeholder="All" if allowed is None else f"All of yours ({', '.join(allowed)})")
        st.multiselect("Country", opts.countries, key="f_country", placeholder="All", on_change=_edited)
    if notice := st.session_state.get("f_notice"):
        st.sidebar.warning(notice, icon=":material/lock:")
    for notice in st.session_state.get("f_url_notice", ()):
        st.sidebar.warning(notice, icon=":material/link_off:")
    _write_url()


def _take_from_url(first: date, last: date, countries: tuple[str, ...]) -> None:
    """``?period=&from=&to=&business_unit=&country=`` (units and countries repeatable) open a page with
    those filters, once per session; a value the sidebar does not offer falls back to the default and
    is named in a notice (units: ``_keep_known_units``)."""
    if st.session_state.get("_f_url_taken"):
        return
    st.session_state["_f_url_taken"] = True
    notices = []
    period = st.query_params.get("period")
    if period is not None and period not in PERIODS:
        notices.append(f"Period '{period}' in the link is not one of {', '.join(PERIODS)}; showing "
                       f"{DEFAULT_PERIOD}.")
        period = None
    dates = urls.date_pair("from", "to", first.replace(day=1), month_end(last + timedelta(days=92)))
    if isinstance(dates, str):
        notices.append(dates)
        dates = None
    if dates:  # the dates themselves, so the figures match even after new data moved the presets
        st.session_state["f_dates"] = dates
        preset = period not in (None, "Custom") and period_range(period, last, first) == dates
        st.session_state["f_period"] = period if preset else "Custom"
    elif period:
        st.session_state["f_period"] = period
        if period != "Custom":
            st.session_state["f_dates"] = period_range(period, last, first)
    if asked := st.query_params.get_all("business_unit"):
        st.session_state["f_bu"] = list(asked)
    if asked := st.query_params.get_all("country"):
        st.session_state["f_country"] = [c for c in asked if c in countries]
        if unknown := [c for c in asked if c not in countries]:
            notices.append(f"{', '.join(unknown)}: no such country in the data; not applied.")
    if notices:
        st.session_state["f_url_notice"] = notices


def _write_url() -> None:
    """The sidebar's filters in the URL, so it can be shared or bookmarked."""
    picked = st.session_state.get("f_dates")
    pair = isinstance(picked, (tuple, list)) and len(picked) == 2
    urls.write(period=st.session_state.get("f_period"), **{"from": picked[0] if pair else None,
               "to": picked[1] if pair else None}, business_unit=st.session_state.get("f_bu"),
               country=st.session_state.get("f_country"))


def _keep_known_units(units: tuple[str, ...]) -> None:
    """A business-unit value the widget does not offer (outside the data scope, or unknown) is
    dropped before the widget is drawn, and the user is told; queries intersect with the scope
    anyway (``Scope.units``)."""
    asked = list(st.session_state.get("f_bu") or [])
    kept = [u for u in asked if u in units]
    if kept != asked:
        st.session_state["f_notice"] = Scope(date.today(), date.today(), tuple(asked), None,
                                             auth.allowed_business_units()).notice or (
            f"{', '.join(u for u in asked if u not in units)}: no such business unit; showing "
            f"{', '.join(kept) or 'all of yours'}.")
        st.session_state["f_bu"] = kept
    elif asked:
        st.session_state.pop("f_notice", None)


def current() -> Scope:
    """The Scope of this run: the sidebar's window and filters within the user's data scope."""
    picked = st.session_state.get("f_dates")
    if isinstance(picked, (tuple, list)) and len(picked) == 2 and all(isinstance(d, date) for d in picked) \
            and picked[0] <= picked[1]:
        start, end = picked
    else:
        today = date.today()
        start, end = period_range(DEFAULT_PERIOD, today, today - timedelta(days=3650))
    bus = st.session_state.get("f_bu") or None
    ctry = st.session_state.get("f_country") or None
    return Scope(start, end, tuple(bus) if bus else None, tuple(ctry) if ctry else None,
                 auth.allowed_business_units())
