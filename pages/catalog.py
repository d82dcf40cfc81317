"""Catalog & lineage: every dataset with its owner, steward, PII flag, regulations and retention;
coverage KPIs; and the lineage graph around any node with the models and value downstream."""

import streamlit as st

from analytics.governance import catalog, lineage
from analytics.quality import views
from app import catalog_view as view
from app import data, filters, fmt, ui
from app.components import ignored_filters

st.title("Catalog & lineage")
st.caption("Who owns each dataset, what it holds, which rules apply, and what depends on it.")

scope = filters.current()
mine = scope.narrowed  # datasets feeding models in the selected business units (and your data scope)
with ui.panel():
    ignored_filters(scope, window="the catalog is as of today", business_units="coverage is a total over "
                    "every dataset", countries="datasets have no country")
    cov = data.cached(catalog.coverage)
    c = st.columns(4)
    c[0].metric("Catalogued datasets", fmt.count(cov.n_datasets), border=True,
                help="Datasets registered in the catalog.")
    c[1].metric("With owner and steward", fmt.pct(cov.share_owner_and_steward), border=True,
                help="Share of catalogued datasets that name both an accountable owner and a day-to-day "
                     "steward (readiness evidence).")
    c[2].metric("With a description", fmt.pct(cov.share_described), border=True,
                help="Share of catalogued datasets with a written description.")
    c[3].metric("Holding personal data", fmt.count(cov.n_pii), border=True,
                help="Datasets flagged as containing personally identifiable information.")

with ui.panel("Datasets"):
    all_ds = data.cached(catalog.datasets, scope=mine)
    shown = data.cached(catalog.datasets, scope=mine, domain=view.pick_domain(all_ds))
    if shown.is_empty():
        ui.empty("No datasets catalogued yet.")
    else:
        view.datasets_table(shown)
    gaps = data.cached(catalog.gaps, scope=mine)
    if gaps.height:
        st.markdown(f"**{gaps.height} dataset(s) with documentation gaps**")
        ui.table(gaps, key="catalog_gaps")

with ui.panel("Lineage"):
    nodes = data.cached(lineage.nodes, scope=mine)
    if nodes.is_empty():
        ui.empty("No lineage recorded yet.")
    else:
        failing = frozenset(data.cached(views.failing, scope=mine)["dataset_id"].to_list())
        kind, node, depth = view.pick_node(nodes, failing)
        edges = data.cached(lineage.around, scope=mine, kind=kind, node_id=node, depth=depth)
        st.caption("Left to right: source → dataset → feature → model version → deployment → business KPI. "
                   "Failing datasets are outlined in red.")
        dot = lineage.to_dot(lineage.collapse_deployments(edges), focus=(kind, node), failing=failing)
        st.graphviz_chart(dot, width="stretch")
        if kind == "dataset":
            hit = data.cached(lineage.impact, scope=mine, dataset_ids=(node,), all_stages=True)
            st.markdown(f"**Models fed by `{node.replace('`', '')}`**")
            if hit.is_empty():
                ui.empty("No model depends on this dataset.")
            else:
                ui.table(hit, key="lineage_impact", column_config={
                    "model_id": None, "model_name": st.column_config.Column("Model"),
                    "monthly_value_usd": st.column_config.NumberColumn("Monthly value (USD)", format="dollar")})
