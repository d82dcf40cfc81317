"""Lineage: edges source -> dataset -> feature -> model_version -> deployment -> kpi.

* ``around(con, kind, id)``: the edges upstream and downstream of one node (bounded depth).
* ``to_dot(edges, focus=...)``: a Graphviz DOT string (``st.graphviz_chart`` renders DOT text).
* ``impact(con, dataset_ids)``: downstream models of failing datasets with their monthly value from
  the value ledger ("value at risk"); production models only unless ``all_stages``.
"""

from __future__ import annotations

import duckdb
import polars as pl

from analytics import sql
from analytics.errors import InputError
from analytics.lakehouse.schema import LINEAGE_KINDS

KIND_STYLE = {  # fill colour and shape per node kind, left to right in the flow
    "source": ("#eaeef2", "cylinder"), "dataset": ("#ddf4ff", "cylinder"), "feature": ("#fff8c5", "note"),
    "model_version": ("#fbefff", "box3d"), "deployment": ("#dafbe1", "component"), "kpi": ("#ffebe9", "box"),
}


def nodes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Every node in the lineage graph (kind, id), for pickers."""
    return sql.run(con, "lineage_nodes")


def around(con: duckdb.DuckDBPyConnection, kind: str, node_id: str, *, depth: int = 6) -> pl.DataFrame:
    """Edges within ``depth`` hops upstream and downstream of the node (one row per edge)."""
    if kind not in LINEAGE_KINDS:
        raise InputError(f"Unknown lineage kind '{kind}'; use one of {', '.join(LINEAGE_KINDS)}.")
    params = {"node_kind": kind, "node_id": node_id, "max_depth": int(depth)}
    down = sql.run(con, "lineage_downstream", **params)
    up = sql.run(con, "lineage_upstream", **params)
    return pl.concat([up, down]).unique().sort("src_kind", "src_id", "dst_kind", "dst_id")


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def collapse_deployments(edges: pl.DataFrame, *, over: int = 3) -> pl.DataFrame:
    """Replace the deployments of a model version by one node ``<n> deployments of <version>`` when it
    has more than ``over`` of them (keeping their edges to KPIs), so graphs stay readable."""
    if edges.is_empty():
        return edges
    dep = edges.filter((pl.col("src_kind") == "model_version") & (pl.col("dst_kind") == "deployment"))
    counts = dep.group_by("src_id").len()
    big = set(counts.filter(pl.col("len") > over)["src_id"].to_list())
    if not big:
        return edges
    label = {r["src_id"]: f"{r['len']} deployments of {r['src_id']}" for r in counts.iter_rows(named=True)}
    owner = {r["dst_id"]: r["src_id"] for r in dep.iter_rows(named=True) if r["src_id"] in big}

    def rename(kind: str, node: str) -> str:
        return label[owner[node]] if kind == "deployment" and node in owner else node

    rows = [{"src_kind": r["src_kind"], "src_id": rename(r["src_kind"], r["src_id"]), "dst_kind": r["dst_kind"],
             "dst_id": rename(r["dst_kind"], r["dst_id"])} for r in edges.iter_rows(named=True)]
    return pl.DataFrame(rows, schema=edges.schema).unique().sort("src_kind", "src_id", "dst_kind", "dst_id")


def to_dot(edges: pl.DataFrame, *, focus: tuple[str, str] | None = None,
           failing: set[str] | frozenset[str] = frozenset()) -> str:
    """DOT text for the edges: left-to-right, one style per kind; ``focus`` bold, ``failing`` red."""
    lines = ["digraph lineage {", '  rankdir=LR; bgcolor="transparent";',
             '  node [style="filled", fontname="Helvetica", fontsize=11, color="#57606a"];',
             '  edge [color="#8c959f"];']
    seen: set[tuple[str, str]] = set()
    for r in edges.iter_rows(named=True):
        for kind, nid in ((r["src_kind"], r["src_id"]), (r["dst_kind"], r["dst_id"])):
            if (kind, nid) in seen:
                continue
            seen.add((kind, nid))
            fill, shape = KIND_STYLE.get(kind, ("#ffffff", "ellipse"))
            label = _q(nid)[:-1] + "\\n(" + kind.replace("_", " ") + ')"'
            attrs = [f"label={label}", f'fillcolor="{fill}"', f"shape={shape}"]
            if kind == "dataset" and nid in failing:
                attrs += ['color="#cf222e"', "penwidth=2.5", 'fontcolor="#cf222e"']
            if focus == (kind, nid):
                attrs += ["penwidth=3"]
            lines.append(f"  {_q(kind + ':' + nid)} [{', '.join(attrs)}];")
        lines.append(f"  {_q(r['src_kind'] + ':' + r['src_id'])} -> {_q(r['dst_kind'] + ':' + r['dst_id'])};")
    lines.append("}")
    return "\n".join(lines)


def impact(con: duckdb.DuckDBPyConnection, dataset_ids: list[str] | tuple[str, ...], *,
           all_stages: bool = False) -> pl.DataFrame:
    """One row per (dataset, downstream model) with ``monthly_value_usd`` (mean benefit of the last
    three ledger months); production models only unless ``all_stages``."""
    if not dataset_ids:
        return sql.run(con, "lineage_impact", dataset_ids=[]).clear()
    df = sql.run(con, "lineage_impact", dataset_ids=list(dataset_ids))
    return df if all_stages else df.filter(pl.col("stage") == "production")


def value_at_risk(impacted: pl.DataFrame) -> float:
    """Monthly value at risk: each model counted once even when several failing datasets feed it."""
    if impacted.is_empty():
        return 0.0
    return float(impacted.unique("model_id")["monthly_value_usd"].sum())
