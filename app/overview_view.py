"""The executive overview's pieces: the eight KPI tiles, the figures download and the tables.
Pure rendering of ``analytics.product.overview.snapshot`` and the readiness summary; the page makes the
data calls and places these."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from analytics.product import kpis, overview
from app import fmt, ui
from app.components import kpi_metric


def kpi_tiles(snap: overview.OverviewSnapshot, rd, row1, row2) -> dict:
    """Seven tiles from the snapshot in ``row1`` and ``row2[:3]`` (readiness, read apart by the page,
    goes in ``row2[3]`` when it could be read); returns {KPI key: (value, previous)} for the download."""
    v, a, s, r = snap.value, snap.adoption, snap.stages, snap.risk
    figures = {
        "value_delivered": (v.net_usd, v.prev_net_usd), "value_to_date": (v.value_to_date_usd, None),
        "portfolio_roi": (v.roi, v.prev_roi), "adoption_rate": (a.adoption_rate, a.prev_adoption_rate),
        "models_in_production": (s.n_production, s.prev_production), "models_at_risk": (r.n_models_at_risk, None),
        "value_at_risk": (r.value_at_risk_usd, None),
    }
    trend = overview.net_by_month(snap.value_by_month)["net_usd"]
    with row1[0], ui.panel():
        kpi_metric("value_delivered", *figures["value_delivered"], chart=trend.to_list())
    with row1[1], ui.panel():
        kpi_metric("value_to_date", *figures["value_to_date"], chart=trend.cum_sum().to_list(),
                   note="since first ledger month")
    with row1[2], ui.panel():
        kpi_metric("portfolio_roi", *figures["portfolio_roi"])
    with row1[3], ui.panel():
        kpi_metric("adoption_rate", *figures["adoption_rate"],
                   note=f"{fmt.count(a.active_users)} of {fmt.count(a.eligible_users)} seats")
    with row2[0], ui.panel():
        kpi_metric("models_in_production", *figures["models_in_production"],
                   chart=s.monthly["n_production"].to_list(), note=f"{s.n_pilot} in pilot, {s.n_retired} retired")
    with row2[1], ui.panel():
        kpi_metric("models_at_risk", *figures["models_at_risk"], note=f"{r.n_critical} critical")
    with row2[2], ui.panel():
        kpi_metric("value_at_risk", *figures["value_at_risk"], note="per month, open alerts")
    if rd is not None:
        figures["readiness_progress"] = (rd.share_done, rd.prev_share_done)
        with row2[3], ui.panel():
            kpi_metric("readiness_progress", *figures["readiness_progress"],
                       note=f"{rd.n_done} of {rd.n_items} done, {rd.n_overdue} late")
    return figures


def figures_csv(figures: dict, start_date: date, end_date: date, business_units, countries) -> bytes:
    """The tiles' figures with the previous period, the change and their meaning, stamped with the
    window and the filters they were drawn for."""
    return ui.csv_bytes(kpis.figures(figures).with_columns(
        window=pl.lit(f"{start_date} to {end_date}"),
        business_units=pl.lit(", ".join(business_units) if business_units else "all"),
        countries=pl.lit(", ".join(countries) if countries else "all")))


def figures_download(figures: dict, start_date: date, end_date: date, business_units, countries) -> None:
    st.download_button(
        "Download these figures", lambda: figures_csv(figures, start_date, end_date, business_units, countries),
        file_name=f"scaleboard-overview-{start_date:%Y%m%d}-{end_date:%Y%m%d}.csv", mime="text/csv",
        key="dl_overview_figures", icon=":material/download:", help="The eight figures above with the previous "
        "period, the change and what each means, for the board pack; every table below has its own download. "
        "For a PDF of the whole page, use the menu at the top right (⋮) → Print → Save as PDF.")


def attention_table(att: pl.DataFrame) -> None:
    """Models with open alerts, why in plain words, the value at risk, and a link into the drift explorer."""
    shown = att.select("name", "business_unit", "severity", "reasons", "since_at", "value_at_risk_usd",
                       (pl.lit("/drift?model=") + pl.col("model_id")).alias("explore"))
    ui.table(ui.humanize(shown, "severity"), key="attention", column_config=ui.columns(
        name=ui.text_col("Model", "medium"), business_unit=ui.text_col("Business unit", "small"),
        severity=ui.text_col("Severity", "small"), reasons=ui.text_col("Why", "large"),
        since_at=ui.date_col("Since", width="small"),
        value_at_risk_usd=ui.usd_col("Value at risk / month", width="small"),
        explore=ui.link_col("Investigate", "Open drift")))


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
