"""Widgets of the readiness page: the editable checklist and the item/template forms.

Every widget maps to one ``analytics.readiness.record`` write made through ``app.writes.save``
(permission ``checklist.edit`` checked on the server, audit row, cache refresh, one confirmation).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from analytics.errors import ScaleboardError
from analytics.readiness import items, record
from app import auth, data, fmt, ui, writes
from app.safe_text import md

STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress", "done": "Done",
                 "blocked": "Blocked"}
HISTORY_COLUMNS = {
    "event_at": ui.date_col("When", ui.TIME_FORMAT),
    "actor": "Who", "title": "Title", "status": "Status", "owner": "Owner",
    "due_date": st.column_config.DateColumn("Due", format="D MMM YYYY"), "evidence_url": "Evidence link",
    "note": "Note", "retired": "Retired",
}
EDITOR_COLUMNS = ("title", "status", "computed_status", "check", "owner", "due_date", "evidence_url",
                  "note", "evidence", "updated_by")


WHERE = "readiness"  # where this page's write outcomes are confirmed (app.writes)


def _write(action: str, target: str, detail: str, fn, *args, rerun: bool = True, **kwargs):
    """One checklist write through the app's write path: ``fn(root, *args, actor=..., **kwargs)``."""
    return writes.save("checklist.edit", lambda user: fn(data.root(), *args, actor=user["name"], **kwargs),
                       where=WHERE, action=action, target=target, detail=detail, done=f"Saved: {detail}",
                       rerun=rerun)


def with_check(board: pl.DataFrame) -> pl.DataFrame:
    """The board for display: a short 'check' flag (disputed, overdue, blocked), "manual" where no
    evidence is computed, and empty text instead of missing links and notes."""
    return board.with_columns(
        check=pl.when(pl.col("is_disagreement")).then(pl.lit("Disputed by evidence"))
        .when(pl.col("is_overdue")).then(pl.lit("Overdue"))
        .when(pl.col("status") == "blocked").then(pl.lit("Blocked"))
        .otherwise(pl.lit("")),
        computed_status=pl.col("computed_status").fill_null("manual"),
        evidence=pl.col("evidence").fill_null("No lakehouse evidence for this item; status is manual."),
        evidence_url=pl.col("evidence_url").fill_null(""), note=pl.col("note").fill_null(""))


def summary_metrics(s) -> None:
    """Share done (with its change over 30 days), overdue, blocked and disputed items."""
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


def disagreements(board: pl.DataFrame) -> None:
    """A warning per item marked done while its live evidence says otherwise."""
    for r in board.filter("is_disagreement").iter_rows(named=True):
        st.warning(f"**{md(r['title'])}** is marked done, but the evidence says "
                   f"{STATUS_LABELS[r['computed_status']].lower()}: {md(r['evidence'])}", icon=":material/warning:")


def board_download(board: pl.DataFrame, today: date) -> None:
    export = board.drop("is_custom", "n_events", "retired")
    st.download_button("Download CSV", ui.csv_bytes(export), file_name=f"readiness_{today}.csv",
                       mime="text/csv", key="dl_readiness", icon=":material/download:")


def progress_table(progress: pl.DataFrame) -> None:
    ui.table(progress, key="readiness_progress", column_config={
        "owner": "Owner", "n_items": "Items", "n_done": "Done",
        "share_done": st.column_config.ProgressColumn("Share done", format="percent", min_value=0, max_value=1),
        "n_overdue": "Overdue", "n_blocked": "Blocked"})


def overdue(board: pl.DataFrame, today: date) -> pl.DataFrame:
    """The board's overdue items with how many days late they are on ``today``."""
    return board.filter("is_overdue").select("title", "owner", "due_date", "status").with_columns(
        days_late=(pl.lit(today) - pl.col("due_date")).dt.total_days())


def overdue_table(late: pl.DataFrame) -> None:
    ui.table(late, key="readiness_overdue", column_config={"title": "Item", "owner": "Owner",
                                                            "due_date": ui.date_col("Due"), "status": "Status",
                                                            "days_late": "Days late"})


def pick_item(everything: pl.DataFrame) -> str | None:
    titles = dict(zip(everything["item_id"], everything["title"], strict=True))
    return st.selectbox("Item", list(titles), format_func=titles.get, key="ck_history_item")


def history_table(hist: pl.DataFrame, item: str) -> None:
    """One item's changes, newest first."""
    ui.table(hist.sort("event_at", descending=True).drop("event_id", "item_id"), key="readiness_history",
             filename=f"history_{item}.csv", column_config=HISTORY_COLUMNS)


def _on_edit(key: str, item_ids: list[str]) -> None:
    edits = st.session_state.get(key, {}).get("edited_rows", {})
    try:
        changes = items.changes_from_edits(item_ids, edits)
    except ScaleboardError as exc:
        writes.refused(WHERE, exc)
        changes = []
    if changes:
        detail = "; ".join(f"{c.item_id}: " + ", ".join(f"{k}={v}" for k, v in c.changed().items())
                           for c in changes)
        _write("checklist.edit", ",".join(c.item_id for c in changes), detail, record.record, changes, rerun=False)
    st.session_state["ck_editor_n"] = st.session_state.get("ck_editor_n", 0) + 1  # fresh editor


def editor(board: pl.DataFrame) -> None:
    """The checklist as an editable table; each edit is saved at once as one event."""
    editable = auth.can("checklist.edit")
    key = f"ck_editor_{st.session_state.get('ck_editor_n', 0)}"
    ids = board["item_id"].to_list()
    cc = st.column_config
    st.data_editor(
        ui.humanize(board.select(EDITOR_COLUMNS), "computed_status"), key=key, hide_index=True, width="stretch", num_rows="fixed",
        placeholder="–",
        disabled=not editable or ["title", "computed_status", "check", "evidence", "updated_by"],
        on_change=_on_edit, args=(key, ids),
        column_config={
            "title": cc.TextColumn("Item", width="medium"),
            "status": cc.SelectboxColumn("Status", options=list(items.STATUSES), required=True,
                                         format_func=ui.word,
                                         help="Your team's status. Saved as soon as you change it."),
            "computed_status": cc.TextColumn("Evidence says", help="Status computed from the lakehouse"),
            "check": cc.TextColumn("Check", width="medium",
                                   help="Marked done but the evidence disagrees, overdue, or blocked"),
            "owner": cc.TextColumn("Owner", max_chars=items.MAX_TEXT_CHARS),
            "due_date": cc.DateColumn("Due", format="D MMM YYYY"),
            "evidence_url": cc.LinkColumn("Evidence link", max_chars=items.MAX_URL_CHARS,
                                          validate=r"^https?://.+$"),
            "note": cc.TextColumn("Note", max_chars=items.MAX_NOTE_CHARS, width="large"),
            "evidence": cc.TextColumn("Live evidence", width="large"),
            "updated_by": cc.TextColumn("Last change by"),
        })
    if not editable:
        st.caption("Read only: your role cannot edit the checklist.")


def item_forms(board_all: pl.DataFrame, templates: pl.DataFrame) -> None:
    """Custom items (add, retire, restore) and templates (apply, save, retire)."""
    if not auth.can("checklist.edit"):
        st.caption("Only executives, product managers, stewards and administrators can change items.")
        return
    add, retire, tpl = st.tabs(["Add an item", "Retire or restore", "Templates"])
    with add, st.form("ck_add", clear_on_submit=True):
        c = st.columns([3, 2, 1])
        title = c[0].text_input("Title", key="ck_new_title")
        owner = c[1].text_input("Owner role", key="ck_new_owner")
        due = c[2].date_input("Due", value=None, key="ck_new_due")
        if st.form_submit_button("Add item", icon=":material/add:"):
            _write("checklist.add", title, f"added item '{title}'", record.add_item, title, owner, due_date=due)
    with retire:
        labels = dict(zip(board_all["item_id"], board_all["title"] + board_all["retired"]
                          .replace_strict({True: " (retired)", False: ""}), strict=True))
        item = st.selectbox("Item", list(labels), format_func=labels.get, key="ck_retire_item")
        is_retired = bool(board_all.filter(item_id=item)["retired"].item()) if item else False
        verb = "Restore" if is_retired else "Retire"
        if item and st.button(verb, key="ck_retire_go", icon=":material/archive:"):
            _write(f"checklist.{verb.lower()}", item, f"{verb.lower()}d {item}", record.retire_item, item,
                   retired=not is_retired)
    with tpl:
        names = templates["template_id"].unique(maintain_order=True).to_list()
        c = st.columns([2, 3])
        picked = c[0].selectbox("Template", names, key="ck_tpl", format_func=ui.word)
        c[1].dataframe(templates.filter(template_id=picked).select("title", "owner"), hide_index=True,
                       column_config={"title": "Item", "owner": "Owner role"})
        b = st.columns(2)
        if b[0].button("Add its missing items to the checklist", key="ck_tpl_apply", icon=":material/playlist_add:"):
            _write("checklist.template.apply", picked, f"applied template {picked}", record.apply_template, picked)
        builtin = bool(templates.filter(template_id=picked)["is_builtin"].any()) if picked else True
        if not builtin and b[1].button("Retire this template", key="ck_tpl_retire"):
            _write("checklist.template.retire", picked, f"retired template {picked}", record.retire_template, picked)
        with st.form("ck_tpl_new", clear_on_submit=True):
            tid = st.text_input("New template id", placeholder="eu_ai_act", key="ck_tpl_id")
            lines = st.text_area("Items, one per line: Title = Owner role", key="ck_tpl_lines",
                                 placeholder="Risk classification = Compliance Officer")
            if st.form_submit_button("Save template"):
                template_items = [(t.strip(), o.strip()) for t, _, o in
                         (ln.partition("=") for ln in lines.splitlines() if ln.strip())]
                _write("checklist.template.add", tid, f"saved template {tid}", record.add_template, tid, template_items)

