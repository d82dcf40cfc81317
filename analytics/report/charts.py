"""The one chart theme (palette, status colours, font) and the chart builders shared by the pages and
the PDF reports: data + column names in, ``alt.Chart`` out (tested through ``to_dict()``). One builder
per chart: ``app.charts`` and ``app.drift_charts`` re-export these, so a page and its PDF draw the same
chart."""

from __future__ import annotations

import contextlib
import textwrap
from collections.abc import Iterator
from contextvars import ContextVar

import altair as alt
import polars as pl

from analytics.drift.performance import METRIC_LABELS

# ---------------------------------------------------------------- the theme
# Status colours are drawn as marks (points, bars, rules, cells). WCAG 2.1 AA asks 3:1 of graphics
# against their background (SC 1.4.11); these keep at least 4.5:1 on white (readable even as text)
# and 3:1 on Streamlit's dark background (no colour can give 4.5:1 on both). The ratios are computed
# in tests/app/test_chart_theme.py.
LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#0e1117"
GOOD, WARN, BAD, BROKEN = "#1a7f37", "#9a6700", "#d1242f", "#8250df"
STATUS_COLORS = {"ok": GOOD, "pass": GOOD, "warning": WARN, "warn": WARN, "drift": BAD, "fail": BAD,
                 "critical": BAD, "error": BROKEN}
PRIMARY = "#1f6feb"  # a single measure, the current window
NEUTRAL = "#6e7781"  # the reference window
PALETTE = [PRIMARY, GOOD, WARN, BROKEN, BAD, "#0a7ea4", NEUTRAL]  # series, in order
# table cells tinted by status carry their own dark text, so they read in the dark theme too
STATUS_BACKGROUNDS = {"ok": "#dafbe1", "warning": "#fff8c5", "drift": "#ffebe9"}
STATUS_TEXT = "#1f2328"
FONT = "Source Sans Pro, sans-serif"  # Streamlit's own


def status_scale(statuses: tuple[str, ...]) -> alt.Scale:
    """A colour scale for these status values (keys of ``STATUS_COLORS``), in this order."""
    return alt.Scale(domain=list(statuses), range=[STATUS_COLORS[s] for s in statuses])


# The chart text colour of the viewer's theme, or None (the renderer's own). The app sets this to
# read the browser's active theme (app/charts.py); reports keep None (printed on white).
def text_colour() -> str | None:
    """The viewer's chart text colour; None here (no viewer), replaced by the app's own reader."""
    return None


_PRINTING: ContextVar[bool] = ContextVar("printing", default=False)


@contextlib.contextmanager
def printing() -> Iterator[None]:
    """Charts built inside are for paper (dark text on white), whatever the viewer's theme."""
    token = _PRINTING.set(True)
    try:
        yield
    finally:
        _PRINTING.reset(token)


def themed(chart, text: str | None = None):
    """The theme's font, series colours and text colour (``text``, by default ``text_colour()``) on a
    finished (top-level) chart."""
    colour = text or (None if _PRINTING.get() else text_colour())
    fill = {"labelColor": colour, "titleColor": colour} if colour else {}
    chart = (chart.configure(font=FONT).configure_range(category=PALETTE)
             .configure_axis(labelFont=FONT, titleFont=FONT, **fill)
             .configure_legend(labelFont=FONT, titleFont=FONT, **fill))
    return chart.configure_title(color=colour, subtitleColor=colour) if colour else chart


# ---------------------------------------------------------------- builders


def stacked_bars(df: pl.DataFrame, *, x: str, y: str, color: str, y_title: str, x_title: str = "",
                 y_format: str = "$.2s", height: int = 300) -> alt.Chart:
    """Monthly (or other temporal) bars stacked by a category."""
    return themed(
        alt.Chart(df.to_pandas())
        .mark_bar()
        .encode(
            # a month time unit makes each bar as wide as its month (plain temporal bars are slivers)
            x=alt.X(f"yearmonth({x}):T", title=x_title, axis=alt.Axis(format="%b %y")),
            y=alt.Y(f"sum({y}):Q", title=y_title, axis=alt.Axis(format=y_format)),
            # a legend in one row is cut at the chart's width ("Supply C"): wrap it in rows of three
            color=alt.Color(f"{color}:N", title=None, scale=alt.Scale(range=PALETTE),
                            legend=alt.Legend(orient="bottom", columns=3, labelLimit=0)),
            tooltip=[alt.Tooltip(f"yearmonth({x}):T", format="%B %Y"), f"{color}:N",
                     alt.Tooltip(f"sum({y}):Q", format="$,.0f", title=y_title)],
        )
        .properties(height=height)
    )


def hbar(df: pl.DataFrame, *, x: str, y: str, x_title: str, x_format: str = "$.2s",
         color_by_sign: bool = True, height: int | None = None, sort: str | None = "-x") -> alt.Chart:
    """Horizontal bars sorted by value (``sort=None``: in row order); negatives in red when
    ``color_by_sign``."""
    enc = {
        "x": alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(format=x_format)),
        "y": alt.Y(f"{y}:N", title=None, sort=sort, axis=alt.Axis(labelLimit=240)),
        "tooltip": [f"{y}:N", alt.Tooltip(f"{x}:Q", format=x_format.replace(".2s", ",.0f"))],
    }
    if color_by_sign:
        enc["color"] = alt.condition(alt.datum[x] < 0, alt.value(BAD), alt.value(GOOD))
    chart = alt.Chart(df.to_pandas()).mark_bar(**({} if color_by_sign else {"color": PALETTE[0]})).encode(**enc)
    # ~40 px a bar keeps every label visible (Vega drops labels that would overlap)
    return themed(chart.properties(height=height or max(160, 40 * df.height)))


def over_time(df: pl.DataFrame, *, x: str, y: str, y_title: str, color: str | None = None,
              mark: str = "line", y_format: str = ",.0f", x_format: str = "%b %y",
              height: int = 200) -> alt.Chart:
    """A measure over time as a line, area or bars, optionally one series per ``color``.

    (Streamlit's built-in line/area/bar charts layer hover rules and re-validate the spec on every
    run, about 0.1 s each; this spec is a single layer.)
    """
    # bars are monthly: a month time unit makes each as wide as its month
    x_field = f"yearmonth({x})" if mark == "bar" else x
    enc = {
        "x": alt.X(f"{x_field}:T", title=None, axis=alt.Axis(format=x_format)),
        "y": alt.Y(f"{y}:Q", title=y_title, axis=alt.Axis(format=y_format)),
        "tooltip": [alt.Tooltip(f"{x_field}:T", title="When", format="%B %Y" if mark == "bar" else "%-d %b %Y"),
                    alt.Tooltip(f"{y}:Q", title=y_title, format=y_format)],
    }
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None, scale=alt.Scale(range=PALETTE),
                                 legend=alt.Legend(orient="bottom"))
        enc["tooltip"].insert(0, alt.Tooltip(f"{color}:N", title=None))
    chart = alt.Chart(df.select([c for c in (x, y, color) if c]).to_pandas())
    one_colour = {} if color else {"color": PALETTE[0]}
    if mark == "area":
        chart = chart.mark_area(opacity=0.6, line=True, **one_colour)
    elif mark == "bar":
        chart = chart.mark_bar(**one_colour)
    else:
        chart = chart.mark_line(point=df.height <= 40, **one_colour)
    return themed(chart.encode(**enc).properties(height=height))


def performance(perf: pl.DataFrame, metric: str, *, subtitle_chars: int | None = None) -> alt.Chart:
    """A metric per week with its band (mean +- 3 sd of the out-of-sample weeks named in the
    title, clipped to the metric's range); provisional weeks (labels still to come) are grey,
    hollow and never red."""
    d = perf.filter(pl.col("metric") == metric).with_columns(
        judged=pl.when(pl.col("is_provisional")).then(pl.lit("provisional (labels still to come)"))
        .when(pl.col("breach")).then(pl.lit("outside the band")).otherwise(pl.lit("within the band")))
    name = METRIC_LABELS.get(metric, metric)
    source = d["band_source"][0] if d.height else ""
    base = alt.Chart(d.to_pandas())
    band = base.mark_area(opacity=0.15, color=GOOD).encode(x="week_start:T", y="band_low:Q", y2="band_high:Q")
    line = base.mark_line(color=PRIMARY).encode(x=alt.X("week_start:T", title="Week of prediction"),
                                                   y=alt.Y("value:Q", title=name, scale=alt.Scale(zero=False)))
    judged = alt.Scale(domain=["within the band", "outside the band", "provisional (labels still to come)"],
                       range=[PRIMARY, BAD, NEUTRAL])
    pts = base.mark_point(size=50, filled=True, strokeWidth=1.5).encode(
        x="week_start:T", y="value:Q",
        color=alt.Color("judged:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=0), scale=judged),
        stroke=alt.Stroke("judged:N", scale=judged, legend=None),  # a hollow (provisional) point keeps its ring
        fillOpacity=alt.condition(alt.datum.is_provisional, alt.value(0.0), alt.value(1.0)),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y", title="week"),
                 alt.Tooltip("value:Q", format=".3f", title=name), alt.Tooltip("judged:N", title="status"),
                 alt.Tooltip("n_labelled:Q", title="labels"), alt.Tooltip("band_low:Q", format=".3f"),
                 alt.Tooltip("band_high:Q", format=".3f")])
    subtitle = f"Band from {source}" if not source.startswith("no band") else source
    if subtitle_chars:  # on paper the note wraps instead of widening the chart
        subtitle = textwrap.wrap(subtitle, subtitle_chars) or ""
    return themed((band + line + pts).properties(height=260, title=alt.Title(f"{name} per week",
                                                                            subtitle=subtitle)))
