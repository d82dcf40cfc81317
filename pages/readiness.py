"""Readiness checklist: is the organisation ready to scale data science? Editable, audited, and
checked against live evidence from the lakehouse."""

from datetime import UTC, datetime

import polars as pl
import streamlit as st

from analytics.readiness import evidence, summary
from analytics.readiness import state as checklist_state
from app import data, fmt, ui
from app import readiness as rd
from app.safe_text import md

today = datetime.now(UTC).date()
st.title("Readiness checklist")
st.caption("Every change is kept with who made it and when. Items that can be read from the lakehouse "
           "show what the evidence says next to your team's status.")
rd.flash()

with ui.panel():
    s = data.cached(summary.readiness_summary, as_of=today)
    c = st.columns(4)
    c[0].metric("Items done", fmt.pct(s.share_done), border=True,
                delta=None if s.prev_share_done is None or s.share_done is None
                else f"{(s.share_done - s.prev_share_done) * 100:+.0f} pts vs 30 days ago",
                help="Share of active checklist items marked done; the delta compares with the state "
                     "30 days ago, rebuilt from the change history.")
    c[1].metric("Overdue", s.n_overdue, border=True, help="Due date passed and not done.")
    c[2].metric("Blocked", s.n_blocked, border=True, help="Items marked blocked.")
    c[3].metric("Disagreements", s.n_disagreements, border=True,
                help="Marked done while the live evidence says otherwise.")

board = None  # a panel that cannot read its data says so; the others still draw
with ui.panel("Checklist"):
    board = rd.with_check(data.cached(evidence.board, as_of=today))
    for r in board.filter("is_disagreement").iter_rows(named=True):
        st.warning(f"**{md(r['title'])}** is marked done, but the evidence says "
                   f"{rd.STATUS_LABELS[r['computed_status']].lower()}: {md(r['evidence'])}", icon=":material/warning:")
    rd.editor(board)
    export = board.drop("is_custom", "n_events", "retired")
    st.download_button("Download CSV", ui.csv_bytes(export), file_name=f"readiness_{today}.csv",
                       mime="text/csv", key="dl_readiness", icon=":material/download:")

if board is not None:
    left, right = st.columns([3, 2])
    with left, ui.panel("Progress by owner"):
        progress = checklist_state.progress_by_owner(board)
        ui.table(progress, key="readiness_progress", column_config={
            "owner": "Owner", "n_items": "Items", "n_done": "Done",
            "share_done": st.column_config.ProgressColumn("Share done", format="percent", min_value=0, max_value=1),
            "n_overdue": "Overdue", "n_blocked": "Blocked"})
    with right, ui.panel("Overdue items"):
        late = board.filter("is_overdue").select("title", "owner", "due_date", "status")
        if late.is_empty():
            ui.empty("Nothing is overdue.")
        else:
            ui.table(late.with_columns(days_late=(pl.lit(today) - pl.col("due_date")).dt.total_days()),
                     key="readiness_overdue", column_config={"title": "Item", "owner": "Owner", "due_date": ui.date_col("Due"),
                                                             "status": "Status", "days_late": "Days late"})

everything = None
with ui.panel("History of an item"):
    everything = data.cached(checklist_state.state, as_of=today, include_retired=True)
    titles = dict(zip(everything["item_id"], everything["title"], strict=True))
    item = st.selectbox("Item", list(titles), format_func=titles.get, key="ck_history_item")
    hist = data.cached(checklist_state.history, item_id=item)
    if hist.is_empty():
        ui.empty("No changes recorded for this item yet: it shows its default owner and 'not started'.")
    else:
        # 'cleared' is a list column, which CSV cannot hold: the download failed on every click
        hist = hist.with_columns(pl.col("cleared").list.join(", "))
        ui.table(hist.sort("event_at", descending=True).drop("event_id", "item_id"), key="readiness_history",
                 filename=f"history_{item}.csv", column_config=rd.HISTORY_COLUMNS)

if everything is not None:
    with ui.panel("Custom items and templates"):
        rd.item_forms(everything, data.cached(checklist_state.templates))
