"""Shareable URLs: a page's state is read from ``st.query_params`` when its widgets are first drawn
and written back on every run, so a copied URL restores the view. Values are parsed here and checked
by the caller against what its widgets offer; anything else falls back to the default with a notice."""

from __future__ import annotations

from datetime import date

import streamlit as st


def iso_date(text: str | None) -> date | None:
    """``2026-03-31`` as a date; anything else as None."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def date_pair(start_key: str, end_key: str, lo: date, hi: date) -> tuple[date, date] | None | str:
    """The dates under ``start_key`` and ``end_key``: a pair within [lo, hi] in order, None when neither
    is in the URL, or the text of a notice when they are not valid."""
    raw = st.query_params.get(start_key), st.query_params.get(end_key)
    if raw == (None, None):
        return None
    start, end = iso_date(raw[0]), iso_date(raw[1])
    if start is None or end is None or not lo <= start <= end <= hi:
        return (f"Dates {raw[0] or '?'} to {raw[1] or '?'} in the link are not a valid range within "
                f"{lo:%-d %b %Y} – {hi:%-d %b %Y}; showing the default.")
    return start, end


def write(**params: object) -> None:
    """Put these values in the URL (lists as repeated keys, dates as ISO); None or empty removes the key.
    Only changed keys are written (each write is a message to the browser)."""
    for key, value in params.items():
        values = [str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v is not None]
        if values == st.query_params.get_all(key):
            continue
        if values:
            st.query_params[key] = values if len(values) > 1 else values[0]
        else:
            del st.query_params[key]


def notice(text: str) -> None:
    st.warning(text, icon=":material/link_off:")
