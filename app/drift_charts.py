"""Chart builders for the drift explorer: data + column names in, ``alt.Chart`` out."""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.report.charts import performance  # noqa: F401  (shared with the model report)
from app.charts import STATUS_COLORS

_STATUS = alt.Scale(domain=["ok", "warning", "drift"], range=[STATUS_COLORS[s] for s in ("ok", "warning", "drift")])


def overlay(dist: pl.DataFrame, feature: str) -> alt.Chart:
    """Reference vs current share per bin, side by side (bins in reference order)."""
    return (alt.Chart(dist.to_pandas()).mark_bar(opacity=0.85)
            .encode(x=alt.X("label:N", sort=alt.SortField("bin"), title=feature, axis=alt.Axis(labelAngle=-45)),
                    xOffset="window:N",
                    y=alt.Y("share:Q", title="Share of values", axis=alt.Axis(format="%")),
                    color=alt.Color("window:N", title=None, scale=alt.Scale(domain=["reference", "current"],
                                                                          range=["#6e7781", "#1f6feb"]),
                                    legend=alt.Legend(orient="bottom")),
                    tooltip=["window:N", "label:N", alt.Tooltip("share:Q", format=".1%")])
            .properties(height=280))


def history(hist: pl.DataFrame, threshold: float, method: str) -> alt.Chart:
    """The statistic per week with the drift threshold as a rule."""
    base = alt.Chart(hist.to_pandas())
    line = base.mark_line(point=True, color="#1f6feb").encode(
        x=alt.X("week_start:T", title="Week"), y=alt.Y("statistic:Q", title=method),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y"), alt.Tooltip("statistic:Q", format=".3f"),
                 "status:N"])
    rule = alt.Chart(pl.DataFrame({"t": [threshold]}).to_pandas()).mark_rule(color="#cf222e", strokeDash=[4, 4]) \
        .encode(y="t:Q")
    return (line + rule).properties(height=240)


def heatmap(hist: pl.DataFrame) -> alt.Chart:
    """Feature x week, coloured by status: a sudden break shows as a wall, a slow slide as a fade."""
    d = hist.with_columns(week=pl.col("week_start").dt.strftime("%Y-%m-%d")).to_pandas()
    return (alt.Chart(d).mark_rect()
            .encode(x=alt.X("week:O", title="Week (Monday)", axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
                    y=alt.Y("feature:N", title=None),
                    color=alt.Color("status:N", scale=_STATUS, legend=alt.Legend(orient="bottom", title=None)),
                    tooltip=["feature:N", "week:O", "method:N", alt.Tooltip("statistic:Q", format=".3f"), "status:N"])
            .properties(height=max(120, 24 * hist["feature"].n_unique())))
