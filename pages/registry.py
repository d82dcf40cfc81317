"""Model registry: every model with its versions, aliases, approvals, deployments and lineage;
searchable and filterable; the engineering KPIs (deployments per month, lead time, change-failure
rate) over the sidebar's window."""

import streamlit as st

from analytics.governance import lineage, registry
from app import data, filters, fmt, ui
from app.components import ignored_filters

st.title("Model registry")
st.caption("Every model and version: who owns it, what is live, who approved it, and how fast changes ship.")
scope = filters.current()

with ui.panel():
    ignored_filters(scope, countries="deployments have no country")
    k = data.cached(registry.engineering, scope=scope)
    c = st.columns(3)
    c[0].metric("Deployments per month", f"{k.deployments_per_month:.1f}", border=True,
                help="Production deployments in the window (any outcome) divided by its months (days / 30.44).")
    c[1].metric("Lead time", "–" if k.lead_time_days is None else f"{k.lead_time_days:.1f} days", border=True,
                help="Median time from registering a version to its first successful production deployment, "
                     f"for the {k.n_versions_released} version(s) that reached production in the window.")
    c[2].metric("Change-failure rate", fmt.pct(k.change_failure_rate), border=True,
                help=f"Production deployments rolled back / production deployments in the window "
                     f"({k.n_rolled_back} of {k.n_deployments}).")

st.subheader("Models")
c1, c2, c3 = st.columns([2, 1, 1])
search = c1.text_input("Search", key="reg_search", max_chars=registry.MAX_SEARCH_CHARS,
                       placeholder="name, id, owner, business unit, description")
tiers = c2.multiselect("Risk tier", ["high", "medium", "low"], key="reg_tiers", placeholder="All",
                       format_func=ui.word)
stages = c3.multiselect("Stage", ["production", "pilot", "retired"], key="reg_stages", placeholder="All",
                        format_func=ui.word)
found = ui.value(lambda: data.cached(registry.models, scope=scope, search=search or None,
                                     risk_tiers=tuple(tiers) or None, stages=tuple(stages) or None),
                 empty="No model matches the search and filters.")
if found is not None:
    ui.table(found, key="registry_models", column_config=ui.columns(
        model_id=None, latest_registered_at=ui.date_col("Latest version registered"),
        last_production_at=ui.date_col("Last production deployment")))
    names = dict(zip(found["model_id"], found["name"], strict=True))
    model_id = st.selectbox("Model", list(names), format_func=names.get, key="reg_model")
    with ui.panel(f"Versions of {names[model_id]}"):
        ui.table(data.cached(registry.versions, scope=scope, model_id=model_id), key="registry_versions",
                 column_config=ui.columns(registered_at=ui.date_col("Registered"),
                                          train_start_at=ui.date_col("Training from"),
                                          train_end_at=ui.date_col("Training to"),
                                          approved_at=ui.date_col("Approved on"),
                                          first_production_at=ui.date_col("First in production"),
                                          metrics_json=ui.text_col("Run metrics")))
    with ui.panel("Deployments"):
        ui.table(data.cached(registry.deployments, scope=scope, model_id=model_id), key="registry_deployments",
                 column_config=ui.columns(deployed_at=ui.date_col("Deployed", ui.TIME_FORMAT)))
    with ui.panel("Lineage"):
        version = data.cached(registry.versions, scope=scope, model_id=model_id)["version"].to_list()[:1]
        edges = data.cached(lineage.around, scope=scope.narrowed, kind="model_version", node_id=f"{model_id}@{version[0]}", depth=3) \
            if version else None
        if edges is None or edges.is_empty():
            ui.empty("No lineage recorded for this model's newest version.")
        else:
            st.graphviz_chart(lineage.to_dot(lineage.collapse_deployments(edges),
                                             focus=("model_version", f"{model_id}@{version[0]}")), width="stretch")
