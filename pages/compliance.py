"""Compliance & fairness: the regulation tracker (assets x obligations, overdue reviews, edits
appended with who and when) and fairness audits of classifiers with a sensitive attribute."""

from datetime import date

import streamlit as st

from analytics.governance import fairness, regulation
from analytics.product import portfolio
from app import auth, data, filters, ui, writes
from app import compliance_forms as forms
from app import quality_charts as charts
from app.components import ignored_filters

st.title("Compliance & fairness")
today = date.today()
scope = filters.current()
mine = scope.narrowed  # assets of the selected business units (and your data scope)
writes.confirmation(forms.WHERE)

with ui.panel("Regulation tracker"):
    ignored_filters(scope, window="the tracker is as of today", business_units="these four are totals over "
                    "every asset", countries="assets have no country")
    forms.regulation_headline(data.cached(regulation.headline, as_of=today))
    kind = st.segmented_control("Assets", ["dataset", "model"], default="dataset", key="reg_kind",
                                format_func=lambda k: f"{k.title()}s") or "dataset"
    cells = data.cached(regulation.matrix, scope=mine, as_of=today, asset_kind=kind)
    ui.table(forms.readable(regulation.pivot(cells)), key="regulation_matrix")
    over = data.cached(regulation.overdue, scope=mine, as_of=today)
    if over.height:
        st.markdown(f"**{over.height} overdue review(s)**")
        ui.table(forms.readable(over), key="regulation_overdue", column_config={"evidence_url": ui.link_col("Evidence link", None)})
    if auth.can("regulation.edit"):
        forms.regulation_form(kind, cells, today)
    else:
        st.caption("Stewards and admins can update the tracker and sign off fairness audits.")
    with st.expander("Edit history"):
        ui.table(forms.readable(data.cached(regulation.history, scope=mine)), key="regulation_history")

with ui.panel("Fairness audits"):
    in_scope = set(data.cached(portfolio.models, scope=mine)["model_id"].to_list())
    models = [m for m in data.cached(fairness.audited_models) if m in in_scope]
    if not models:
        ui.empty("No classifier declares a sensitive attribute.")
        st.stop()
    names = dict(data.cached(portfolio.models, scope=mine).select("model_id", "name").rows())
    model = st.selectbox("Model", models, key="fa_model", format_func=names.get)
    audits = data.cached(fairness.summary, scope=mine, as_of=today, model_id=model)
    if audits.is_empty():
        ui.empty("No audit recorded for this model yet.")
    else:
        forms.fairness_headline(audits.row(0, named=True))
        ui.table(data.cached(fairness.latest_groups, scope=mine, as_of=today, model_id=model), key="fairness_groups")
        ui.chart(charts.disparate_impact, data.cached(fairness.audits, scope=mine, as_of=today, model_id=model))
        ui.table(audits, key="fairness_audits", column_config=forms.AUDIT_COLUMNS)
    if auth.can("fairness.signoff"):
        forms.fairness_form(model, audits, today, scope.start, scope.end)
