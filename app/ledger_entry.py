"""The ledger form and CSV upload on the Value & ROI page: maps widgets to ``roi.record_entries``."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics.lakehouse.schema import ATTRIBUTIONS, LEDGER_CATEGORIES
from analytics.product import portfolio, roi
from app import auth, data, filters, ui, writes

TEMPLATE = ("month,model_id,category,amount_usd,attribution,ci_low_usd,ci_high_usd,note\n"
            "2026-09-01,demand_forecast,infrastructure,12500,self_reported,,,September cloud invoice\n")


WHERE = "ledger"  # where ledger write outcomes are confirmed (app.writes)


def _save(rows: list[dict] | bytes, what: str) -> None:
    """Append form rows or an uploaded CSV's bytes (parsed inside the write, so a bad file is reported
    like any other rejected input)."""
    def write(user: dict) -> int:
        entries = roi.read_entries_csv(rows) if isinstance(rows, bytes) else rows
        return roi.record_entries(data.root(), entries, actor=user["name"],
                                  units=auth.allowed_business_units(user))

    # the figures at the top of the page were drawn before this form: the write path runs the page
    # again so they show the new entry, and says so once here
    writes.save("ledger.edit", write, where=WHERE, target="value_ledger", detail=lambda n: f"{what}: {n} row(s)",
                done=lambda n: f"Added {n} ledger row(s); the figures above include them. Older figures stay "
                               "in the history.")


def ledger_entry_panel() -> None:
    """Form + CSV upload; shown to roles allowed to edit the ledger, read-only note otherwise."""
    with ui.panel("Add or correct figures", border=True):
        writes.confirmation(WHERE)
        if not auth.can("ledger.edit"):
            st.caption("Only product managers and administrators can add ledger figures.")
            return
        st.caption("Each entry is appended with your name and the time; an entry for a month, model and "
                   "category that already has a figure becomes the figure in force, the old one stays in "
                   "the history. Benefits and costs are both positive amounts.")
        models = dict(data.cached(portfolio.models, scope=filters.current()).select("model_id", "name").rows())
        form_tab, csv_tab = st.tabs(["Form", "CSV upload"])
        with form_tab, st.form("ledger_form", clear_on_submit=True):
            c = st.columns(3)
            # actuals arrive after a month closes: default to last month
            last_month = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1)
            month = c[0].date_input("Month (first day)", value=last_month, key="lf_month")
            model_id = c[1].selectbox("Model", list(models), key="lf_model", format_func=models.get)
            category = c[2].selectbox("Category", LEDGER_CATEGORIES, key="lf_category", format_func=ui.word)
            c = st.columns(4)
            amount = c[0].number_input("Amount (USD)", min_value=0.0, step=100.0, key="lf_amount")
            attribution = c[1].selectbox("Attribution", ATTRIBUTIONS, index=2, key="lf_attr",
                                         format_func=roi.ATTRIBUTION_LABELS.get)
            low = c[2].number_input("Interval low (optional)", value=None, key="lf_low")
            high = c[3].number_input("Interval high (optional)", value=None, key="lf_high")
            note = st.text_input("Note", key="lf_note")
            if st.form_submit_button("Add entry", icon=":material/add:"):
                _save([{"month": month, "model_id": model_id, "category": category, "amount_usd": amount,
                        "attribution": attribution, "ci_low_usd": low, "ci_high_usd": high,
                        "note": note or None}], "form")
        with csv_tab:
            st.download_button("Download a template", TEMPLATE, "ledger_template.csv", "text/csv",
                               key="ledger_template", icon=":material/download:")
            up = st.file_uploader("Ledger CSV", type=["csv"], key="ledger_csv",
                                  help="Columns: " + ", ".join(roi.LEDGER_INPUT_COLUMNS))
            if up is not None and st.button("Add the rows of this file", key="ledger_csv_go"):
                _save(up.getvalue(), f"csv {up.name}")
