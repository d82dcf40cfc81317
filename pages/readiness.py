"""Readiness checklist: is the organisation ready to scale data science? Editable, audited, and
checked against live evidence from the lakehouse."""

from datetime import UTC, datetime

import streamlit as st

from analytics.readiness import evidence, summary
from analytics.readiness import state as checklist_state
from app import data, filters, ui, writes
from app import readiness as rd
from app.components import ignored_filters

today = datetime.now(UTC).date()
st.title("Readiness checklist")
st.caption("Every change is kept with who made it and when. Items that can be read from the lakehouse "
           "show what the evidence says next to your team's status.")
ignored_filters(filters.current(), window="the checklist is as of today", business_units="the checklist is "
                "organisation-wide", countries="the checklist is organisation-wide")
writes.confirmation(rd.WHERE)

with ui.panel():
    rd.summary_metrics(data.cached(summary.readiness_summary, as_of=today))

board = ui.value(lambda: rd.with_check(data.cached(evidence.board, as_of=today)))
if board is not None:  # else the error is shown here; history and forms below still work
    with ui.panel("Checklist"):
        rd.disagreements(board)
        rd.editor(board)
        rd.board_download(board, today)
    left, right = st.columns([3, 2])
    with left, ui.panel("Progress by owner"):
        rd.progress_table(checklist_state.progress_by_owner(board))
    with right, ui.panel("Overdue items"):
        late = rd.overdue(board, today)
        if late.is_empty():
            ui.empty("Nothing is overdue.")
        else:
            rd.overdue_table(late)

everything = ui.value(lambda: data.cached(checklist_state.state, as_of=today, include_retired=True))
if everything is not None:
    with ui.panel("History of an item"):
        item = rd.pick_item(everything)
        hist = data.cached(checklist_state.history, item_id=item)
        if hist.is_empty():
            ui.empty("No changes recorded for this item yet: it shows its default owner and 'not started'.")
        else:
            rd.history_table(hist, item)
    with ui.panel("Custom items and templates"):
        rd.item_forms(everything, data.cached(checklist_state.templates))
