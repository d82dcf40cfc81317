"""Pure chart builders shared by the pages and the PDF reports: data + column names in, ``alt.Chart``
out (tested through ``to_dict()``). The app re-exports them from ``app.charts``."""

from __future__ import annotations

import altair as alt
import polars as pl

PALETTE = ["#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#0a7ea4", "#6e7781"]
STATUS_COLORS = {"ok": "#2da44e", "warning": "#bf8700", "drift": "#cf222e", "critical": "#cf222e"}


def stacked_bars(df: pl.DataFrame, *, x: str, y: str, color: str, y_title: str, x_title: str = "",
                 y_format: str = "$.2s", height: int = 300) -> alt.Chart:
    """Monthly (or other temporal) bars stacked by a category."""
    return (
        alt.Chart(df.to_pandas())
        .mark_bar()
        .encode(
            # a month time unit makes each bar as wide as its month (plain temporal bars are slivers)
            x=alt.X(f"yearmonth({x}):T", title=x_title, axis=alt.Axis(format="%b %y")),
            y=alt.Y(f"sum({y}):Q", title=y_title, axis=alt.Axis(format=y_format)),
            color=alt.Color(f"{color}:N", title=None, scale=alt.Scale(range=PALETTE),
                            legend=alt.Legend(orient="bottom")),
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
        enc["color"] = alt.condition(alt.datum[x] < 0, alt.value("#cf222e"), alt.value("#2da44e"))
    chart = alt.Chart(df.to_pandas()).mark_bar(**({} if color_by_sign else {"color": PALETTE[0]})).encode(**enc)
    # ~40 px a bar keeps every label visible (Vega drops labels that would overlap)
    return chart.properties(height=height or max(160, 40 * df.height))


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
    return chart.encode(**enc).properties(height=height)


def performance(perf: pl.DataFrame, metric: str) -> alt.Chart:
    """A metric per week with its reference band (mean +- 3 sd of the reference weeks)."""
    d = perf.filter(pl.col("metric") == metric).to_pandas()
    base = alt.Chart(d)
    band = base.mark_area(opacity=0.15, color="#2da44e").encode(x="week_start:T", y="band_low:Q", y2="band_high:Q")
    line = base.mark_line(color="#1f6feb").encode(x=alt.X("week_start:T", title="Week of prediction"),
                                                   y=alt.Y("value:Q", title=metric.upper(), scale=alt.Scale(zero=False)))
    pts = base.mark_point(filled=True).encode(
        x="week_start:T", y="value:Q",
        color=alt.condition(alt.datum.breach, alt.value("#cf222e"), alt.value("#1f6feb")),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y"), alt.Tooltip("value:Q", format=".3f"),
                 "n_labelled:Q", alt.Tooltip("band_low:Q", format=".3f"), alt.Tooltip("band_high:Q", format=".3f")])
    return (band + line + pts).properties(height=260)
