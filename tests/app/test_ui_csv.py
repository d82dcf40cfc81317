"""Table downloads: a frame with list cells (the readiness history's ``cleared``) downloads as CSV."""

from __future__ import annotations

import polars as pl

from analytics.readiness import record
from analytics.readiness import state as checklist_state
from app import ui


def test_list_cells_are_joined_and_still_neutralised():
    df = pl.DataFrame({"item_id": ["a", "b", "c"], "cleared": [["due_date", "note"], [], None],
                       "risky": [["=1+1"], None, ["x"]]})
    out = pl.read_csv(ui.csv_bytes(df))
    assert out["cleared"].to_list() == ["due_date, note", "", None]
    assert out["risky"].to_list() == ["'=1+1", None, "x"]


def test_an_items_history_downloads(lake):
    # a due date set and then cleared: the history has a `cleared` list column, which CSV cannot hold
    record.set_item(lake.root, "data_catalog", actor="ana", due_date="2026-12-01")
    record.set_item(lake.root, "data_catalog", actor="bo", due_date="")
    con = lake.con()
    try:
        hist = checklist_state.history(con, item_id="data_catalog")
    finally:
        con.close()
    assert isinstance(hist.schema["cleared"], pl.List)
    out = pl.read_csv(ui.csv_bytes(hist))
    assert out.height == 2 and set(out["actor"]) == {"ana", "bo"}
    assert "due_date" in out.filter(pl.col("actor") == "bo")["cleared"].item()
