"""Chart builders for the drift explorer: data + column names in, ``alt.Chart`` out, in the theme of
``app.charts``."""

from __future__ import annotations

import altair as alt
import polars as pl

from app.charts import BAD, GOOD, NEUTRAL, PRIMARY, status_scale, themed

_STATUS = status_scale(("ok", "warning", "drift"))


def overlay(dist: pl.DataFrame, feature: str) -> alt.Chart:
    """Reference vs current share per bin, side by side (bins in reference order)."""
    return themed(alt.Chart(dist.to_pandas()).mark_bar(opacity=0.85)
            .encode(x=alt.X("label:N", sort=alt.SortField("bin"), title=feature, axis=alt.Axis(labelAngle=-45)),
                    xOffset="window:N",
                    y=alt.Y("share:Q", title="Share of values", axis=alt.Axis(format="%")),
                    color=alt.Color("window:N", title=None, scale=alt.Scale(domain=["reference", "current"],
                                                                          range=[NEUTRAL, PRIMARY]),
                                    legend=alt.Legend(orient="bottom")),
                    tooltip=["window:N", "label:N", alt.Tooltip("share:Q", format=".1%")])
            .properties(height=280))


def history(hist: pl.DataFrame, threshold: float, method: str) -> alt.Chart:
    """The statistic per week with the drift threshold as a rule."""
    base = alt.Chart(hist.to_pandas())
    line = base.mark_line(point=True, color=PRIMARY).encode(
        x=alt.X("week_start:T", title="Week"), y=alt.Y("statistic:Q", title=method),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y"), alt.Tooltip("statistic:Q", format=".3f"),
                 "status:N"])
    rule = alt.Chart(pl.DataFrame({"t": [threshold]}).to_pandas()).mark_rule(color=BAD, strokeDash=[4, 4]) \
        .encode(y="t:Q")
    return themed((line + rule).properties(height=240))


def heatmap(hist: pl.DataFrame) -> alt.Chart:
    """Feature x week, coloured by status: a sudden break shows as a wall, a slow slide as a fade."""
    d = hist.with_columns(week=pl.col("week_start").dt.strftime("%Y-%m-%d")).to_pandas()
    return themed(alt.Chart(d).mark_rect()
            .encode(x=alt.X("week:O", title="Week (Monday)", axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
                    y=alt.Y("feature:N", title=None),
                    color=alt.Color("status:N", scale=_STATUS, legend=alt.Legend(orient="bottom", title=None)),
                    tooltip=["feature:N", "week:O", "method:N", alt.Tooltip("statistic:Q", format=".3f"), "status:N"])
            .properties(height=max(120, 24 * hist["feature"].n_unique())))


def performance(perf: pl.DataFrame, metric: str) -> alt.Chart:
    """A metric per week with its reference band (mean +- 3 sd of the reference weeks)."""
    d = perf.filter(pl.col("metric") == metric).to_pandas()
    base = alt.Chart(d)
    band = base.mark_area(opacity=0.15, color=GOOD).encode(x="week_start:T", y="band_low:Q", y2="band_high:Q")
    line = base.mark_line(color=PRIMARY).encode(x=alt.X("week_start:T", title="Week of prediction"),
                                                   y=alt.Y("value:Q", title=metric.upper(), scale=alt.Scale(zero=False)))
    pts = base.mark_point(filled=True).encode(
        x="week_start:T", y="value:Q",
        color=alt.condition(alt.datum.breach, alt.value(BAD), alt.value(PRIMARY)),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y"), alt.Tooltip("value:Q", format=".3f"),
                 "n_labelled:Q", alt.Tooltip("band_low:Q", format=".3f"), alt.Tooltip("band_high:Q", format=".3f")])
    return themed((band + line + pts).properties(height=260))
