"""Shared page components built on the KPI registry."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from analytics.product.kpis import kpi
from app import fmt


def kpi_metric(key: str, value, previous=None, *, chart: Sequence[float] | None = None,
               note: str | None = None, title: str | None = None) -> None:
    """One registry KPI as a metric: formatted value, delta vs the previous window, sparkline, help."""
    k = kpi(key)
    delta = fmt.delta(k.unit, value, previous)
    st.metric(
        title or k.title,
        fmt.by_unit(k.unit, value),
        delta=delta,
        delta_color="normal" if k.direction == "up" else "inverse",
        help=k.description,
        border=True,
        chart_data=list(chart) if chart is not None and len(chart) > 1 else None,
        chart_type="area" if k.unit == "usd" else "line",
        delta_description=note or ("vs previous period" if delta else None),
    )
