"""Live evidence for readiness items: what the lakehouse says, next to what people marked.

Five items can be read from data (each a query in ``analytics/sql/readiness/evidence_*.sql``):

==========================  ====================================================================
item                        measure (value)
==========================  ====================================================================
data_catalog                share of catalogued datasets with an owner, a steward and a description
model_registry              share of production models with a registered version and an owner
monitoring_dashboards       share of production models with feature logs (drift), outcome logs
                            (performance) and an alert route
roi_tracking                share of production models with value-ledger rows in the 3 months
                            up to ``as_of``
mlops_pipeline              successful production deployments per month over the 90 days up to
                            ``as_of``
==========================  ====================================================================

A value at or above ``done_at`` reads as ``done``, at or above ``progress_at`` as ``in_progress``,
otherwise ``not_started`` (also when there is nothing to measure). A *disagreement* is an item
marked done whose evidence says it is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import duckdb
import polars as pl

from analytics import parallel, sql
from analytics.readiness import state as checklist_state


@dataclass(frozen=True)
class EvidenceRule:
    item_id: str
    sql_name: str
    done_at: float
    progress_at: float
    unit: str  # "share" or "per_month"
    what: str  # plain words for the counted things


RULES: tuple[EvidenceRule, ...] = (
    EvidenceRule("data_catalog", "evidence_data_catalog", 0.9, 0.5, "share",
                 "catalogued datasets have an owner, a steward and a description"),
    EvidenceRule("model_registry", "evidence_model_registry", 0.9, 0.5, "share",
                 "production models have a registered version and an owner"),
    EvidenceRule("monitoring_dashboards", "evidence_monitoring", 0.9, 0.5, "share",
                 "production models have drift and performance monitoring and an alert route"),
    EvidenceRule("roi_tracking", "evidence_roi_tracking", 0.9, 0.5, "share",
                 "production models have value-ledger entries in the last 3 months"),
    EvidenceRule("mlops_pipeline", "evidence_mlops_pipeline", 2.0, 1 / 3, "per_month",
                 "successful production deployments per month over the last 90 days"),
)
RULE_BY_ITEM = {r.item_id: r for r in RULES}
WINDOW_MONTHS = 3.0  # 90 days, for the deployment rate


def classify(value: float | None, rule: EvidenceRule) -> str:
    """The computed status for a measured value."""
    if value is None:
        return "not_started"
    if value >= rule.done_at - 1e-12:
        return "done"
    return "in_progress" if value >= rule.progress_at - 1e-12 else "not_started"


def _sentence(rule: EvidenceRule, n_ok: int, n_total: int, value: float | None,
              missing: list[str]) -> str:
    if rule.unit == "per_month":
        return (f"{n_ok} successful production deployments in the last 90 days "
                f"({value:.1f} per month, {n_total} models); done at {rule.done_at:g} per month or more.")
    if not n_total:
        return f"Nothing to measure yet: no {rule.what.split(' have ')[0]}."
    text = f"{n_ok} of {n_total} {rule.what} ({value:.0%}; done at {rule.done_at:.0%})."
    if missing:
        shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
        text += f" Missing: {shown}."
    return text


def evidence(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None) -> pl.DataFrame:
    """One row per evidence-backed item: item_id, value, unit, n_ok, n_total, computed_status,
    evidence (a sentence), done_at, progress_at. ``as_of`` defaults to today (UTC)."""
    day = as_of or datetime.now(UTC).date()
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    measured = parallel.run_all(con, {rule.item_id: (sql.run, {"name": rule.sql_name, "as_of": day,
                                                               "as_of_end": end}) for rule in RULES})
    rows = []
    for rule in RULES:
        r = measured[rule.item_id].row(0, named=True)
        n_ok, n_total = int(r["n_ok"] or 0), int(r["n_total"] or 0)
        if rule.unit == "per_month":
            value: float | None = n_ok / WINDOW_MONTHS
        else:
            value = n_ok / n_total if n_total else None
        rows.append({"item_id": rule.item_id, "value": value, "unit": rule.unit, "n_ok": n_ok,
                     "n_total": n_total, "computed_status": classify(value, rule),
                     "evidence": _sentence(rule, n_ok, n_total, value, list(r["missing"] or [])),
                     "done_at": rule.done_at, "progress_at": rule.progress_at})
    return pl.DataFrame(rows, schema={"item_id": pl.String, "value": pl.Float64, "unit": pl.String,
                                      "n_ok": pl.Int64, "n_total": pl.Int64, "computed_status": pl.String,
                                      "evidence": pl.String, "done_at": pl.Float64,
                                      "progress_at": pl.Float64})


def with_evidence(con: duckdb.DuckDBPyConnection, state_df: pl.DataFrame, *,
                  as_of: date | None = None) -> pl.DataFrame:
    """The checklist state with computed_status, evidence and is_disagreement (marked done,
    evidence says not done) joined on item_id; items without evidence get nulls and False."""
    return attach(state_df, evidence(con, as_of=as_of))


def attach(state_df: pl.DataFrame, evidence_df: pl.DataFrame) -> pl.DataFrame:
    """``with_evidence`` for an ``evidence`` frame already computed (pure)."""
    ev = evidence_df.select("item_id", "computed_status", "evidence")
    return state_df.join(ev, on="item_id", how="left").with_columns(
        is_disagreement=((pl.col("status") == "done") & pl.col("computed_status").is_not_null()
                         & (pl.col("computed_status") != "done")))


def board(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None) -> pl.DataFrame:
    """The page's table: active items with their live evidence (one row per item)."""
    return with_evidence(con, checklist_state.state(con, as_of=as_of), as_of=as_of)
