"""Pure chart builders: data + column names in, ``alt.Chart`` out (tested through ``to_dict()``), and
the one chart theme (palette, status colours, font) that every builder here, in ``drift_charts`` and
in ``quality_charts`` uses. The theme and the builders the PDF reports share live in
``analytics.report.charts`` (one builder per chart) and are re-exported here."""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.report import charts as _report_charts
from analytics.report.charts import (  # noqa: F401  (the theme and the shared builders)
    BAD,
    BROKEN,
    DARK_BACKGROUND,
    FONT,
    GOOD,
    LIGHT_BACKGROUND,
    NEUTRAL,
    PALETTE,
    PRIMARY,
    STATUS_BACKGROUNDS,
    STATUS_COLORS,
    STATUS_TEXT,
    WARN,
    hbar,
    over_time,
    stacked_bars,
    status_scale,
    themed,
)

# Chart text (axis labels and titles, legends, subtitles) follows the active theme: Streamlit's own grey
# is only 3.7:1 on white and it leaves subtitles black, so each theme gets its own (LIGHT_TEXT: 5.3:1 on
# white, still 3.6:1 on the dark background should the theme be misread; DARK_TEXT: Streamlit's own).
LIGHT_TEXT, DARK_TEXT = "#656d76", "#e6eaf1"


def text_colour() -> str | None:
    """The chart text colour for the browser's active theme, or None outside a running app (Streamlit's
    own then applies)."""
    try:
        import streamlit as st

        kind = st.context.theme.type
    except Exception:  # no script run (tests, scripts)
        return None
    return {"light": LIGHT_TEXT, "dark": DARK_TEXT}.get(kind)


_report_charts.text_colour = text_colour  # page charts follow the viewer's theme


def month_heatmap(df: pl.DataFrame, *, x: str, y: str, value: str, value_title: str,
                  domain: tuple[float, float], count: str | None = None, height: int | None = None) -> alt.Chart:
    """One row per ``y`` (e.g. a model), one cell per month, coloured by ``value`` on a red-to-green
    scale over ``domain``: readable with dozens of series, where lines would tangle."""
    tooltip = [alt.Tooltip(f"{y}:N", title=None), alt.Tooltip(f"yearmonth({x}):T", title="Month", format="%B %Y"),
               alt.Tooltip(f"{value}:Q", title=value_title, format=".2f")]
    if count:
        tooltip.append(alt.Tooltip(f"{count}:Q", title="Count"))
    n_rows = df[y].n_unique() if df.height else 1
    return themed(
        alt.Chart(df.select([c for c in (x, y, value, count) if c]).to_pandas())
        .mark_rect()
        .encode(
            x=alt.X(f"yearmonth({x}):O", title=None, axis=alt.Axis(format="%b %y", labelAngle=0)),
            y=alt.Y(f"{y}:N", title=None),
            color=alt.Color(f"{value}:Q", title=value_title,
                            scale=alt.Scale(scheme="redyellowgreen", domain=list(domain)),
                            legend=alt.Legend(orient="bottom")),
            tooltip=tooltip,
        )
        .properties(height=height or max(120, 18 * n_rows))
    )
