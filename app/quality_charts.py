"""Pure chart builders for the governance pages (data + columns in, ``alt.Chart`` out), in the theme of
``app.charts``."""

from __future__ import annotations

import altair as alt
import polars as pl

from app.charts import GOOD, PALETTE, PRIMARY, STATUS_COLORS, status_scale, themed

UNITS = {"completeness": "share non-null", "validity": "share valid", "volume": "ratio to median",
         "timeliness": "age (hours)"}


def check_trends(df: pl.DataFrame, *, width: int = 250, height: int = 130, columns: int = 2) -> alt.Chart:
    """One small line chart per check: the daily metric with its warn (amber) and fail (red) lines;
    points coloured by status; each check on its own y scale. Expects quality_history columns."""
    data = df.with_columns(pl.col("check_kind").replace_strict(UNITS, default="value").alias("unit"),
                           (pl.col("check_id") + " (" + pl.col("check_kind") + ")").alias("check"))
    x = alt.X("day:T", title=None, axis=alt.Axis(format="%d %b"))
    y = alt.Y("metric_value:Q", title=None, scale=alt.Scale(zero=False))
    line = alt.Chart().mark_line(color=PRIMARY).encode(x=x, y=y)
    points = alt.Chart().mark_circle(size=28).encode(
        x=x, y=y,
        color=alt.Color("status:N", scale=status_scale(("pass", "warn", "fail", "error")),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("day:T", format="%Y-%m-%d"), "check:N", "status:N",
                 alt.Tooltip("metric_value:Q", format=",.3f"), "unit:N",
                 alt.Tooltip("warn_threshold:Q", title="warn"), alt.Tooltip("fail_threshold:Q", title="fail")])
    warn = alt.Chart().mark_rule(color=STATUS_COLORS["warn"], strokeDash=[4, 3]).encode(y="mean(warn_threshold):Q")
    fail = alt.Chart().mark_rule(color=STATUS_COLORS["fail"], strokeDash=[4, 3]).encode(y="mean(fail_threshold):Q")
    return themed(alt.layer(line, points, warn, fail, data=data.to_pandas())
            .properties(width=width, height=height)
            .facet(facet=alt.Facet("check:N", title=None), columns=columns)
            .resolve_scale(y="independent"))


def domain_health(df: pl.DataFrame, *, row_px: int = 26) -> alt.Chart:
    """Stacked horizontal bars per domain: checks passing / warning / failing."""
    long = df.select("domain", "n_pass", "n_warn", "n_fail").unpivot(
        index="domain", on=["n_pass", "n_warn", "n_fail"], variable_name="status", value_name="n_checks").with_columns(
        pl.col("status").replace_strict({"n_pass": "pass", "n_warn": "warn", "n_fail": "fail"}))
    return themed(alt.Chart(long.to_pandas()).mark_bar().encode(
        x=alt.X("n_checks:Q", title="checks (latest result)", stack=True),
        y=alt.Y("domain:N", title=None, sort=alt.EncodingSortField("n_checks", op="sum", order="descending")),
        color=alt.Color("status:N", scale=status_scale(("pass", "warn", "fail")),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=["domain:N", "status:N", "n_checks:Q"]).properties(height=max(120, row_px * df.height)))


def disparate_impact(df: pl.DataFrame, *, band: tuple[float, float] = (0.8, 1.25), height: int = 220) -> alt.Chart:
    """Disparate impact per group over audit windows, with the four-fifths band shaded."""
    pdf = df.to_pandas()
    shade = alt.Chart(alt.Data(values=[{"lo": band[0], "hi": band[1]}])).mark_rect(
        color=GOOD, opacity=0.08).encode(y="lo:Q", y2="hi:Q")
    line = alt.Chart(pdf).mark_line(point=True).encode(
        x=alt.X("window_end_at:T", title="audit window end", axis=alt.Axis(format="%b %Y")),
        y=alt.Y("disparate_impact:Q", title="disparate impact", scale=alt.Scale(zero=False)),
        color=alt.Color("group_value:N", title=None, scale=alt.Scale(range=PALETTE), legend=alt.Legend(orient="bottom")),
        tooltip=["group_value:N", alt.Tooltip("disparate_impact:Q", format=".2f"), "n:Q",
                 alt.Tooltip("window_end_at:T", format="%Y-%m-%d")])
    return themed(alt.layer(shade, line).properties(height=height))
