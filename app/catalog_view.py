"""The Catalog & lineage page's pickers and tables. The page makes the data calls and places these."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app import ui


def pick_domain(all_datasets: pl.DataFrame) -> str | None:
    """A domain of the catalog, or ``None`` for all of them."""
    domains = sorted({d for d in all_datasets["domain"].to_list() if d}) if all_datasets.height else []
    domain = st.selectbox("Domain", ["All", *domains], key="cat_domain", format_func=ui.word)
    return None if domain == "All" else domain


def datasets_table(shown: pl.DataFrame) -> None:
    ui.table(shown.drop("table_name"), key="catalog_datasets", column_config={
        "is_pii": st.column_config.CheckboxColumn("PII"),
        "has_owner_and_steward": st.column_config.CheckboxColumn("Owner & steward"),
        "has_description": st.column_config.CheckboxColumn("Described"),
        "retention_days": st.column_config.NumberColumn("Retention (days)"),
        "freshness_sla_hours": st.column_config.NumberColumn("Freshness SLA (h)")})


def pick_node(nodes: pl.DataFrame, failing: frozenset[str]) -> tuple[str, str, int]:
    """(kind, node id, hops) of the lineage to draw: a dataset, a failing one first."""
    c1, c2, c3 = st.columns([1, 2, 1])
    kinds = list(dict.fromkeys(nodes["kind"].to_list()))
    kind = c1.selectbox("Node kind", kinds, index=kinds.index("dataset") if "dataset" in kinds else 0, key="lin_kind",
                         format_func=ui.word)
    ids = nodes.filter(pl.col("kind") == kind)["id"].to_list()
    default = next((i for i in ids if i in failing), ids[0])
    node = c2.selectbox("Node", ids, index=ids.index(default), key="lin_node")
    return kind, node, c3.slider("Hops", 1, 6, 4, key="lin_depth")
