"""Catalog & lineage: every dataset with its owner, steward, PII flag, regulations and retention;
coverage KPIs; and the lineage graph around any node with the models and value downstream."""

import streamlit as st

from analytics.governance import catalog, lineage
from analytics.quality import views
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
    domains = sorted({d for d in all_ds["domain"].to_list() if d}) if all_ds.height else []
    domain = st.selectbox("Domain", ["All", *domains], key="cat_domain")
    shown = data.cached(catalog.datasets, scope=mine, domain=None if domain == "All" else domain)
    if shown.is_empty():
        ui.empty("No datasets catalogued yet.")
    else:
        ui.table(shown.drop("table_name"), key="catalog_datasets", column_config={
            "is_pii": st.column_config.CheckboxColumn("PII"),
            "has_owner_and_steward": st.column_config.CheckboxColumn("owner & steward"),
            "has_description": st.column_config.CheckboxColumn("described"),
            "retention_days": st.column_config.NumberColumn("retention (days)"),
            "freshness_sla_hours": st.column_config.NumberColumn("freshness SLA (h)")})
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
        c1, c2, c3 = st.columns([1, 2, 1])
        kinds = list(dict.fromkeys(nodes["kind"].to_list()))
        kind = c1.selectbox("Node kind", kinds, index=kinds.index("dataset") if "dataset" in kinds else 0,
                            key="lin_kind")
        ids = nodes.filter(nodes["kind"] == kind)["id"].to_list()
        default = next((i for i in ids if i in failing), ids[0])
        node = c2.selectbox("Node", ids, index=ids.index(default), key="lin_node")
        depth = c3.slider("Hops", 1, 6, 4, key="lin_depth")
        edges = data.cached(lineage.around, scope=mine, kind=kind, node_id=node, depth=depth)
        st.caption("Left to right: source → dataset → feature → model version → deployment → business KPI. "
                   "Failing datasets are outlined in red.")
        dot = lineage.to_dot(lineage.collapse_deployments(edges), focus=(kind, node), failing=failing)
        st.graphviz_chart(dot, width="stretch")
        if kind == "dataset":
            hit = data.cached(lineage.impact, scope=mine, dataset_ids=(node,), all_stages=True)
            st.markdown(f"**Models fed by `{node}`**")
            if hit.is_empty():
                ui.empty("No model depends on this dataset.")
            else:
                ui.table(hit, key="lineage_impact", column_config={
                    "monthly_value_usd": st.column_config.NumberColumn("monthly value (USD)", format="dollar")})
