"""The executive overview's pieces: the eight KPI tiles, the figures download and the tables.
Rendering of ``analytics.product.overview.snapshot`` and the readiness summary (the drift links look up
the alerts' windows); the page makes the other data calls and places these."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

import polars as pl
import streamlit as st

from analytics.drift import monitor as drift_monitor
from analytics.product import kpis, overview
from analytics.product.scope import Scope
from analytics.report import overview as overview_report
from app import data, ui
from app.components import ignored_filters, kpi_metric


def kpi_tiles(snap: overview.OverviewSnapshot, scope: Scope, organisation: dict) -> None:
    """The registry's KPIs as tiles, two rows of four (the snapshot's scoped ones and the
    ``organisation``-wide ones), each with what the page adds (a sparkline or a note) and the filters
    it does not apply."""
    fig = {**snap.figures, **organisation}
    trend = overview.net_by_month(snap.value_by_month)["net_usd"]
    notes = overview_report.tile_notes(fig)  # the PDF prints the same notes
    charts = {"value_delivered": trend.to_list(), "value_to_date": trend.cum_sum().to_list(),
              "models_in_production": snap.stages["n_production"].to_list()}
    extras = {k: {"chart": charts.get(k), "note": notes.get(k)} for k in {*charts, *notes}}
    for col, k in zip([*st.columns(4), *st.columns(4)], kpis.REGISTRY, strict=False):
        if k.key not in fig:  # could not be read: said once above the tiles
            continue
        with col, ui.panel(border=True):  # the note and the ignored filters inside the tile's box
            kpi_metric(k.key, fig[k.key].value, fig[k.key].previous, border=False, **extras.get(k.key, {}))
            ignored_filters(scope, **{f: why for f, why in k.ignores.items() if f != "window"})


def figures_csv(snap: overview.OverviewSnapshot, scope: Scope, organisation: dict) -> bytes:
    """The tiles' figures with the previous period, the change and their meaning, stamped with the
    window and the filters they were drawn for."""
    fig = {**snap.figures, **organisation}
    return ui.csv_bytes(overview_report.figures_table(fig, scope))


def figures_download(snap: overview.OverviewSnapshot, scope: Scope, organisation: dict) -> None:
    st.download_button(
        "Download these figures", lambda: figures_csv(snap, scope, organisation),
        file_name=f"scaleboard-overview-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.csv", mime="text/csv",
        key="dl_overview_figures", icon=":material/download:", help="The eight figures above with the previous "
        "period, the change and what each means, for the board pack; every table below has its own download. "
        "The whole page as a PDF: Download PDF next to this button.")


def drift_link(model_id: str) -> str:
    """The drift explorer on the windows the model's drift alerts are judged on: its latest version,
    the training window against the last 30 days with profiles (``analytics.drift.alerts``)."""
    link = {"model": model_id}
    versions = data.cached(drift_monitor.model_versions).filter(pl.col("model_id") == model_id)
    if versions.height:
        version = versions.sort("registered_at", descending=True)["version"][0]
        with contextlib.suppress(drift_monitor.NoDataError):
            w = data.cached(drift_monitor.default_windows, root=str(data.root()), model_id=model_id, version=version)
            link.update(version=version, ref="training", cur_from=w.cur_start.isoformat(),
                        cur_to=w.cur_end.isoformat())
    return "/drift?" + urlencode(link)


def attention_table(att: pl.DataFrame) -> None:
    """Models with open alerts, why in plain words, the value at risk, and a link into the drift explorer
    on the alerts' model version and windows."""
    links = [drift_link(m) for m in att["model_id"]]
    shown = att.select("name", "business_unit", "severity", "reasons", "since_at", "value_at_risk_usd",
                       pl.Series("explore", links, dtype=pl.String))
    config = ui.columns(
        name=ui.text_col("Model", "medium"), business_unit=ui.text_col("Business unit", "small"),
        severity=ui.text_col("Severity", "small"), reasons=ui.text_col("Why", "large"),
        since_at=ui.date_col("Since", width="small"),
        value_at_risk_usd=ui.usd_col("Value at risk / month", width="small"),
        explore=ui.link_col("Investigate", "Open drift"))
    # the columns that matter first and narrow, so a phone shows the model and why; the rest on demand
    st.dataframe(ui.humanize(shown.select("name", "reasons", "explore", "severity"), "severity"), hide_index=True,
                 width="stretch", placeholder="–", column_config={**config, "name": ui.text_col("Model", "small")})
    with st.expander("All columns: business unit, severity, since, value at risk"):
        ui.table(ui.humanize(shown, "severity"), key="attention", column_config=config)


def never_paid_table(never: pl.DataFrame) -> None:
    ui.table(ui.humanize(never, "stage"), key="never_paid", column_config=ui.columns(
        name="Model", business_unit="Business unit", stage="Stage", first_month=ui.date_col("Since", "MMM YYYY"),
        benefit_to_date_usd=ui.usd_col("Benefit"), cost_to_date_usd=ui.usd_col("Cost"),
        net_to_date_usd=ui.usd_col("Net")))


def readiness_table(rd) -> None:
    """The readiness items, late ones first."""
    items = rd.items.select("title", "owner", "status", "due_date", "is_overdue").sort("is_overdue", descending=True)
    ui.table(ui.humanize(items, "status"), key="readiness_items", column_config=ui.columns(
        title="Item", owner="Owner", status="Status", due_date=st.column_config.DateColumn("Due", format="D MMM YYYY"),
        is_overdue=st.column_config.CheckboxColumn("Late")))
