"""Admin panel: alert channels (and any secret they lack) and the delivery log, failed first."""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.alerts import config as alert_config
from analytics.alerts import outbox
from app import auth, data, ui


def panel() -> None:
    with ui.panel("Alert delivery"):
        auth.require("audit.read")
        st.caption(f"Channels and routes: `{alert_config.path('<lakehouse>')}` (see docs/alerts.md). "
                   "`scaleboard refresh` and `scaleboard check` send what changed; a failed delivery is "
                   "retried on the next run.")
        channels = alert_config.channel_status(data.root())
        if not channels:
            ui.empty("No alert channels are configured: alerts are shown in the app only.")
        else:
            ui.table(pl.DataFrame(channels), key="alert_channels", column_config=ui.columns(
                channel="Channel", kind="Kind", problem=ui.text_col("Problem", "large")))
        failed_only = st.toggle("Failed deliveries only", value=True, key="alert_failed_only")
        log = data.cached(outbox.recent, status="failed" if failed_only else None, limit=1000)
        if log.is_empty():
            ui.empty("No failed deliveries." if failed_only else "Nothing has been delivered yet.")
            return
        ui.table(ui.humanize(log.drop("event_key"), "status", "event"), key="alert_deliveries",
                 column_config=ui.columns(
            attempted_at=ui.date_col("Last attempt", ui.TIME_FORMAT),
            status=ui.text_col("Status", "small"), channel="Channel", channel_kind="Kind", event="Event",
            subject_id="Alert or task", summary=ui.text_col("Notification", "large"),
            attempts=st.column_config.NumberColumn("Tries (last run)"), n_runs=st.column_config.NumberColumn("Runs"),
            http_status=st.column_config.NumberColumn("HTTP", format="%d"), error=ui.text_col("Error", "large")))
