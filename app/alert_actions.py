"""The open-alerts table with acknowledge and snooze, for the drift explorer (and any page with alerts).

Each row is the alert's latest state (value, severity, value at risk) with "since" = first detection,
read from the same query as the overview's attention table. Acknowledge and snooze are checked on the
server (``drift.acknowledge`` and the user's business-unit scope) and audited by ``analytics.alerts``.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from analytics.alerts import actions
from app import auth, data, ui, writes


def _scoped(alert_id: str) -> dict:
    """The open alert if the signed-in user may act on it; else ``AccessDenied``."""
    me = auth.require("drift.acknowledge")
    units = auth.allowed_business_units(me)
    df = data.cached(actions.table, model_id=None, business_units=units)
    if df.filter(pl.col("alert_id") == alert_id).is_empty():
        raise auth.AccessDenied("This alert is not open or not in your business units.")
    return me


WHERE = "alert_actions"  # where acknowledge and snooze outcomes are confirmed (app.writes)


def acknowledge(alert_id: str, reason: str, *, page: str) -> None:
    def write(user: dict) -> None:
        me = _scoped(alert_id)
        actions.acknowledge(data.root(), alert_id, actor=me["name"], role=me["role"], reason=reason, page=page)

    writes.save("drift.acknowledge", write, where=WHERE, done="Alert acknowledged: it is not sent again.",
                audited=True)  # analytics.alerts records the acknowledgement, for the CLI too


def snooze(alert_id: str, hours: float, reason: str, *, page: str) -> None:
    def write(user: dict) -> None:
        me = _scoped(alert_id)
        actions.snooze(data.root(), alert_id, actor=me["name"], role=me["role"], hours=hours, reason=reason,
                       page=page)

    writes.save("drift.acknowledge", write, where=WHERE, done=f"Alert snoozed for {hours:g} h.", audited=True)


def _state(df: pl.DataFrame) -> pl.DataFrame:
    return df.with_columns(state=pl.when(pl.col("acknowledged_at").is_not_null())
                           .then(pl.lit("Acknowledged by ") + pl.col("acknowledged_by"))
                           .when(pl.col("snoozed_until").is_not_null())
                           .then(pl.lit("Snoozed until ") + pl.col("snoozed_until").dt.strftime("%-d %b %H:%M UTC"))
                           .otherwise(pl.lit("")))


def panel(model_id: str | None = None, *, page: str) -> None:
    """'Open alerts' for one model (or all in the user's scope), with the acknowledge/snooze form."""
    with ui.panel("Open alerts"):
        writes.confirmation(WHERE)
        df = data.cached(actions.table, model_id=model_id, business_units=auth.allowed_business_units())
        if df.is_empty():
            ui.empty("No open alerts for this model.")
            return
        df = _state(df)
        ui.table(ui.humanize(df.select("name", "severity", "message", "value", "threshold", "since_at",
                                       "updated_at", "value_at_risk_usd", "state"), "severity"),
                 key=f"open_alerts_{page}", column_config=ui.columns(
            # narrow columns so every one fits a 1280 px screen; the full message is in the download
            name=ui.text_col("Model", "small"), severity=ui.text_col("Severity", "small"),
            message=ui.text_col("What", "medium"),
            value=st.column_config.NumberColumn("Latest value", format="%.3f", width="small"),
            threshold=st.column_config.NumberColumn("Threshold", format="%.3f", width="small"),
            since_at=ui.date_col("Since", width="small"),
            updated_at=ui.date_col("Last evaluated", ui.TIME_FORMAT, width="small"),
            value_at_risk_usd=ui.usd_col("Value at risk / month", width="small"),
            state=ui.text_col("Handled", "small")))
        if not auth.can("drift.acknowledge"):
            st.caption("Data scientists and administrators can acknowledge or snooze an alert.")
            return
        labels = {r["alert_id"]: f"{r['severity']}: {r['message']}" for r in df.iter_rows(named=True)}
        with st.form(f"alert_action_{page}", clear_on_submit=True):
            pick = st.selectbox("Alert", list(labels), format_func=labels.get, key=f"alert_pick_{page}")
            reason = st.text_input("Reason (recorded in the audit log)", key=f"alert_reason_{page}")
            hours = st.number_input("Snooze for (hours)", min_value=1, max_value=720, value=24,
                                    key=f"alert_hours_{page}")
            c1, c2 = st.columns(2)
            ack = c1.form_submit_button("Acknowledge", type="primary",
                                        help="Someone is on it: the alert is not sent again.")
            hold = c2.form_submit_button("Snooze", help="Hold this alert's notifications for the hours above.")
        if ack:
            acknowledge(pick, reason, page=page)
        elif hold:
            snooze(pick, float(hours), reason, page=page)
