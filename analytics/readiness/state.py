"""The checklist read back: items folded from their events, as of any day, with history, templates
and progress by owner."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import duckdb
import polars as pl

from analytics import sql
from analytics.readiness.items import BUILTIN_TEMPLATES, DEFAULT_ITEMS, TEMPLATE_PREFIX

# ---------------------------------------------------------------- reading

def _end_of(as_of: date | None) -> datetime:
    day = as_of or datetime.now(UTC).date()
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def history(con: duckdb.DuckDBPyConnection, item_id: str | None = None, *,
            as_of: date | None = None) -> pl.DataFrame:
    """Events (deduplicated by ``event_id``), oldest first; one item's or all (templates too)."""
    return sql.run(con, "checklist_log", item_id=item_id, as_of_end=_end_of(as_of))


def _fold(con: duckdb.DuckDBPyConnection, as_of: date | None) -> pl.DataFrame:
    return sql.run(con, "checklist_fold", item_id=None, as_of_end=_end_of(as_of))


def state(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None,
          include_retired: bool = False) -> pl.DataFrame:
    """Current state, one row per item (defaults first, then custom items by creation).

    Columns: item_id, title, owner, status, due_date, evidence_url, note, retired, is_custom,
    updated_at, updated_by, n_events, is_overdue (due date before ``as_of``, default today, and
    not done).
    """
    today = as_of or datetime.now(UTC).date()
    folded = _fold(con, as_of).filter(~pl.col("item_id").str.starts_with(TEMPLATE_PREFIX))
    base = pl.DataFrame({"item_id": [s.item_id for s in DEFAULT_ITEMS],
                         "d_title": [s.title for s in DEFAULT_ITEMS],
                         "d_owner": [s.owner for s in DEFAULT_ITEMS],
                         "d_order": list(range(len(DEFAULT_ITEMS)))})
    out = (base.join(folded, on="item_id", how="full", coalesce=True)
           .with_columns(
               title=pl.coalesce("title", "d_title", "item_id"),
               owner=pl.coalesce("owner", "d_owner", pl.lit("unassigned")),
               status=pl.coalesce("status", pl.lit("not_started")),
               retired=pl.coalesce("retired", pl.lit(False)),
               is_custom=pl.col("d_order").is_null(),
               n_events=pl.coalesce("n_events", pl.lit(0)).cast(pl.Int64),
           )
           .with_columns(is_overdue=(pl.col("due_date") < pl.lit(today)).fill_null(False)
                         & (pl.col("status") != "done") & ~pl.col("retired"))
           .sort(["d_order", "created_at"], nulls_last=True)
           .select("item_id", "title", "owner", "status", "due_date", "evidence_url", "note", "retired",
                   "is_custom", "updated_at", "updated_by", "n_events", "is_overdue"))
    return out if include_retired else out.filter(~pl.col("retired"))


def templates(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Templates and their items: template_id, item_id, title, owner, is_builtin (active only)."""
    rows = [{"template_id": t, "item_id": s.item_id, "title": s.title, "owner": s.owner, "is_builtin": True}
            for t, items in BUILTIN_TEMPLATES.items() for s in items]
    custom = (_fold(con, None).filter(pl.col("item_id").str.starts_with(TEMPLATE_PREFIX)
                                      & ~pl.col("retired").fill_null(False)))
    for r in custom.iter_rows(named=True):
        _, tid, iid = r["item_id"].split(".", 2)
        rows.append({"template_id": tid, "item_id": iid, "title": r["title"] or iid,
                     "owner": r["owner"] or "unassigned", "is_builtin": False})
    return pl.DataFrame(rows, schema={"template_id": pl.String, "item_id": pl.String, "title": pl.String,
                                      "owner": pl.String, "is_builtin": pl.Boolean})


def progress_by_owner(state_df: pl.DataFrame) -> pl.DataFrame:
    """One row per owner (role): n_items, n_done, share_done, n_overdue, n_blocked; plus 'All'."""
    def agg(df: pl.DataFrame) -> pl.DataFrame:
        return df.agg(n_items=pl.len(), n_done=(pl.col("status") == "done").sum(),
                      n_overdue=pl.col("is_overdue").sum(), n_blocked=(pl.col("status") == "blocked").sum())

    by = agg(state_df.group_by("owner")).sort("owner")
    total = agg(state_df.select(pl.lit("All items").alias("owner"), "status", "is_overdue")
                .group_by("owner"))
    out = pl.concat([by, total]) if state_df.height else by
    return out.with_columns(share_done=pl.col("n_done") / pl.col("n_items")).select(
        "owner", "n_items", "n_done", "share_done", "n_overdue", "n_blocked")


def share_done(state_df: pl.DataFrame) -> float | None:
    return (state_df["status"] == "done").sum() / state_df.height if state_df.height else None


