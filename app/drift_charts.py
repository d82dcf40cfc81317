"""Chart builders for the drift explorer: data + column names in, ``alt.Chart`` out, in the theme of
``app.charts``."""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.drift.compare import METHOD_LABELS
from analytics.report.charts import performance  # noqa: F401  (shared with the model report)
from app.charts import BAD, NEUTRAL, PRIMARY, status_scale, themed

_STATUS = status_scale(("ok", "warning", "drift"))


def overlay(dist: pl.DataFrame, feature: str) -> alt.Chart:
    """Reference vs current share per bin, side by side, bins in their real order (labelled with
    their edges, see ``drift_monitor.distribution``)."""
    order = dist.sort("bin")["label"].unique(maintain_order=True).to_list()
    return themed(alt.Chart(dist.to_pandas()).mark_bar(opacity=0.85)
            .encode(x=alt.X("label:N", sort=order, title=feature, axis=alt.Axis(labelAngle=-45, labelOverlap=False)),
                    xOffset="window:N",
                    y=alt.Y("share:Q", title="Share of values", axis=alt.Axis(format="%")),
                    color=alt.Color("window:N", title=None, scale=alt.Scale(domain=["reference", "current"],
                                                                          range=[NEUTRAL, PRIMARY]),
                                    legend=alt.Legend(orient="bottom")),
                    tooltip=["window:N", alt.Tooltip("label:N", title="bin"), alt.Tooltip("share:Q", format=".1%")])
            .properties(height=280))


def history(hist: pl.DataFrame, threshold: float, method: str) -> alt.Chart:
    """The statistic per week with the drift threshold as a rule."""
    base = alt.Chart(hist.to_pandas())
    line = base.mark_line(point=True, color=PRIMARY).encode(
        x=alt.X("week_start:T", title="Week"), y=alt.Y("statistic:Q", title=METHOD_LABELS.get(method, method)),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y"), alt.Tooltip("statistic:Q", format=".3f"),
                 "status:N"])
    rule = alt.Chart(pl.DataFrame({"t": [threshold]}).to_pandas()).mark_rule(color=BAD, strokeDash=[4, 4]) \
        .encode(y="t:Q")
    return themed((line + rule).properties(height=240))


def heatmap(hist: pl.DataFrame) -> alt.Chart:
    """Feature x week, coloured by status: a sudden break shows as a wall, a slow slide as a fade.
    Every feature row is labelled (one fixed step per row, labels never dropped or truncated)."""
    d = hist.with_columns(week=pl.col("week_start").dt.strftime("%Y-%m-%d")).to_pandas()
    features = sorted(hist["feature"].unique().to_list())
    return themed(alt.Chart(d).mark_rect()
            .encode(x=alt.X("week:O", title="Week (Monday)", axis=alt.Axis(labelAngle=-45, labelOverlap=True)),
                    y=alt.Y("feature:N", title=None, sort=features,
                            axis=alt.Axis(labelOverlap=False, labelLimit=0)),
                    color=alt.Color("status:N", scale=_STATUS, legend=alt.Legend(orient="bottom", title=None)),
                    tooltip=["feature:N", "week:O", "method:N", alt.Tooltip("statistic:Q", format=".3f"), "status:N"])
            .properties(height=alt.Step(22)))
