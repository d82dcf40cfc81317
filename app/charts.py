"""Pure chart builders: data + column names in, ``alt.Chart`` out (tested through ``to_dict()``), and
the one chart theme (palette, status colours, font) that every builder here, in ``drift_charts`` and
in ``quality_charts`` uses."""

from __future__ import annotations

import altair as alt
import polars as pl

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


def status_scale(statuses: tuple[str, ...]) -> alt.Scale:
    """A colour scale for these status values (keys of ``STATUS_COLORS``), in this order."""
    return alt.Scale(domain=list(statuses), range=[STATUS_COLORS[s] for s in statuses])


def themed(chart, text: str | None = None):
    """The theme's font, series colours and text colour (``text``, by default the active theme's) on a
    finished (top-level) chart."""
    colour = text or text_colour()
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
