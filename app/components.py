"""Shared page components built on the KPI registry and the Scope."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from analytics.product.kpis import kpi
from analytics.product.scope import Scope
from app import fmt

FILTER_NAMES = {"window": "Date range", "business_units": "Business-unit filter", "countries": "Country filter"}


def kpi_metric(key: str, value, previous=None, *, chart: Sequence[float] | None = None,
               note: str | None = None, title: str | None = None, border: bool = True) -> None:
    """One registry KPI as a metric: formatted value, delta vs the previous window, sparkline, help.
    The note goes beside the delta only when there is no delta: beside one, a tile a quarter of the
    page wide cuts it ("1,847 of 12,…"), so it gets its own line."""
    k = kpi(key)
    delta = fmt.delta(k.unit, value, previous)
    st.metric(
        title or k.title,
        fmt.by_unit(k.unit, value),
        delta=delta,
        delta_color="normal" if k.direction == "up" else "inverse",
        help=k.help,
        border=border,
        chart_data=list(chart) if chart is not None and len(chart) > 1 else None,
        chart_type="area" if k.unit == "usd" else "line",
        delta_description=None if delta else note,
    )
    if delta and note:
        st.caption(note)


def ignored_filters(scope: Scope, **reasons: str) -> None:
    """Say which filters a panel does not apply, and why (``countries="the ledger has no country"``).
    The window is always said; the business-unit and country filters only when one is set."""
    active = {"window": True, "business_units": scope.business_units is not None,
              "countries": scope.countries is not None}
    said = [f"{FILTER_NAMES[k]} does not apply: {why}." for k, why in reasons.items() if active[k]]
    if said:
        st.caption(" ".join(said), help="Every other filter applies to this panel.")
