"""The ledger form and CSV upload on the Value & ROI page: maps widgets to ``roi.record_entries``."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics.lakehouse.schema import ATTRIBUTIONS, LEDGER_CATEGORIES
from analytics.product import portfolio, roi
from app import auth, data, filters, ui

TEMPLATE = ("month,model_id,category,amount_usd,attribution,ci_low_usd,ci_high_usd,note\n"
            "2026-09-01,demand_forecast,infrastructure,12500,self_reported,,,September cloud invoice\n")


_FLASH = "ledger_saved"


def _save(rows, what: str) -> None:
    user = auth.require("ledger.edit")
    n = roi.record_entries(data.root(), rows, actor=user.get("name", "anonymous"),
                           units=auth.allowed_business_units(user))
    auth.audit("ledger.edit", target="value_ledger", detail=f"{what}: {n} row(s)")
    data.invalidate()
    # the figures at the top of the page were drawn before this form: run the page again so they
    # show the new entry, and say so once there
    st.session_state[_FLASH] = f"Added {n} ledger row(s); the figures above include them. Older figures stay in the history."
    st.rerun()


def ledger_entry_panel() -> None:
    """Form + CSV upload; shown to roles allowed to edit the ledger, read-only note otherwise."""
    with ui.panel("Add or correct figures", border=True):
        if flash := st.session_state.pop(_FLASH, None):
            st.success(flash, icon=":material/check:")
            st.toast(flash, icon=":material/check:")
        if not auth.can("ledger.edit"):
            st.caption("Only product managers and administrators can add ledger figures.")
            return
        st.caption("Each entry is appended with your name and the time; an entry for a month, model and "
                   "category that already has a figure becomes the figure in force, the old one stays in "
                   "the history. Benefits and costs are both positive amounts.")
        models = data.cached(portfolio.models, scope=filters.current())["model_id"].to_list()
        form_tab, csv_tab = st.tabs(["Form", "CSV upload"])
        with form_tab, st.form("ledger_form", clear_on_submit=True):
            c = st.columns(3)
            # actuals arrive after a month closes: default to last month
            last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
            month = c[0].date_input("Month (first day)", value=last_month, key="lf_month")
            model_id = c[1].selectbox("Model", models, key="lf_model")
            category = c[2].selectbox("Category", LEDGER_CATEGORIES, key="lf_category")
            c = st.columns(4)
            amount = c[0].number_input("Amount (USD)", min_value=0.0, step=100.0, key="lf_amount")
            attribution = c[1].selectbox("Attribution", ATTRIBUTIONS, index=2, key="lf_attr",
                                         format_func=roi.ATTRIBUTION_LABELS.get)
            low = c[2].number_input("Interval low (optional)", value=None, key="lf_low")
            high = c[3].number_input("Interval high (optional)", value=None, key="lf_high")
            note = st.text_input("Note", key="lf_note")
            if st.form_submit_button("Add entry", icon=":material/add:"):
                with ui.panel():
                    _save([{"month": month, "model_id": model_id, "category": category, "amount_usd": amount,
                            "attribution": attribution, "ci_low_usd": low, "ci_high_usd": high,
                            "note": note or None}], "form")
        with csv_tab:
            st.download_button("Download a template", TEMPLATE, "ledger_template.csv", "text/csv",
                               key="ledger_template", icon=":material/download:")
            up = st.file_uploader("Ledger CSV", type=["csv"], key="ledger_csv",
                                  help="Columns: " + ", ".join(roi.LEDGER_INPUT_COLUMNS))
            if up is not None and st.button("Add the rows of this file", key="ledger_csv_go"):
                with ui.panel():
                    _save(roi.read_entries_csv(up.getvalue()), f"csv {up.name}")
