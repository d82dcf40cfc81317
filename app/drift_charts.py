"""Chart builders for the drift explorer: data + column names in, ``alt.Chart`` out, in the theme of
``app.charts``."""

from __future__ import annotations

import altair as alt
import polars as pl

from analytics.drift.compare import METHOD_LABELS
from analytics.drift.performance import METRIC_LABELS
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


def estimated(est: pl.DataFrame, perf: pl.DataFrame, metric: str = "auc") -> alt.Chart:
    """The metric estimated from scores (dashed, with its band) next to the realised one from labels
    (solid), per week: the estimate is there before the labels are."""
    name = METRIC_LABELS.get(metric, metric)
    e = est.select(week_start="week_start", value=f"est_{metric}", low=f"est_{metric}_lower",
                   high=f"est_{metric}_upper").with_columns(kind=pl.lit("Estimated from scores"))
    r = perf.filter((pl.col("metric") == metric) & ~pl.col("is_provisional")).select(
        "week_start", "value").with_columns(low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64),
                                            kind=pl.lit("Realised from labels"))
    d = pl.concat([e, r], how="vertical_relaxed").to_pandas()
    base = alt.Chart(d)
    band = base.transform_filter(alt.datum.kind == "Estimated from scores").mark_area(
        opacity=0.12, color=NEUTRAL).encode(x="week_start:T", y="low:Q", y2="high:Q")
    lines = base.mark_line(point=True).encode(
        x=alt.X("week_start:T", title="Week of prediction"),
        y=alt.Y("value:Q", title=name, scale=alt.Scale(zero=False)),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=["Realised from labels", "Estimated from scores"],
                                                              range=[PRIMARY, NEUTRAL]),
                        legend=alt.Legend(orient="bottom", labelLimit=0)),
        strokeDash=alt.StrokeDash("kind:N", scale=alt.Scale(domain=["Realised from labels", "Estimated from scores"],
                                                           range=[[1, 0], [6, 4]]), legend=None),
        tooltip=[alt.Tooltip("week_start:T", format="%d %b %Y", title="week"), "kind:N",
                 alt.Tooltip("value:Q", format=".3f", title=name)])
    return themed((band + lines).properties(height=240))


def dependence(curves: pl.DataFrame) -> alt.Chart:
    """One small line per input: the model's average output as the input moves along its grid, with
    the reference window's range (2nd to 98th percentile) shaded; each panel keeps its own x scale."""
    d = curves.select("feature", "rank", "grid_value", "average", "ref_low", "ref_high").to_pandas()
    order = curves.sort("rank")["feature"].unique(maintain_order=True).to_list()
    base = alt.Chart(d)
    band = base.transform_filter("isValid(datum.ref_low)").transform_aggregate(
        lo="min(ref_low)", hi="max(ref_high)", groupby=["feature"]).mark_rect(opacity=0.12, color=NEUTRAL).encode(
        x="lo:Q", x2="hi:Q")
    line = base.mark_line(point=True, color=PRIMARY).encode(
        x=alt.X("grid_value:Q", title="value of the input", scale=alt.Scale(zero=False)),
        y=alt.Y("average:Q", title="average output", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip("feature:N", title="input"), alt.Tooltip("grid_value:Q", format=".3g", title="value"),
                 alt.Tooltip("average:Q", format=".3f", title="average output")])
    return themed((band + line).properties(width=220, height=180).facet(
        facet=alt.Facet("feature:N", title=None, sort=order), columns=3).resolve_scale(x="independent"))
