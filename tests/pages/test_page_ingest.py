"""AppTest of the Load data page with a raw-shaped file: semicolon CSV, naive times, other column
names, a model the inventory lacks. Options, preview, errors by row and column, then a load."""

from __future__ import annotations

from datetime import UTC, datetime

from analytics.lakehouse import connection
from apptest import open_page

RAW = (b"rid;when;mdl;p\nr1;2026-01-15 10:00;bike;0,25\nr2;2026-07-15 10:00;bike;0,75\n")


def _frame(at, column: str):
    """The shown table that has ``column`` (ui.table keys only its download button)."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert found, [list(d.value.columns) for d in at.dataframe]
    return found[-1]


def test_load_a_raw_file_with_options(tmp_path, monkeypatch):
    root = tmp_path / "lake"
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    at = open_page("ingest", "admin")
    assert not at.exception, at.exception
    at.file_uploader(key="ingest_files").set_value(("raw.csv", RAW, "text/csv"))
    at.text_area(key="ingest_mapping").set_value("rid=request_id\nwhen=prediction_at\nmdl=model_id\np=score")
    at.button(key="ingest_preview_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    preview = _frame(at, "request_id")
    assert list(preview.columns) == ["request_id", "prediction_at", "model_id", "score"]
    assert list(preview["score"]) == ["0.25", "0.75"]  # the decimal comma read
    # no zone, model absent: nothing loaded, each problem by row and column
    at.button(key="ingest_go").click().run()
    problems = _frame(at, "problem")
    assert {(r, c) for r, c in zip(problems["row"], problems["column"], strict=True)} == {
        (1, "prediction_at"), (2, "prediction_at"), (1, "model_id"), (2, "model_id")}
    assert any("bike" in w.value for w in at.warning)
    assert not (root / "predictions").exists()
    at.text_input(key="ingest_tz").set_value("Europe/Lisbon")
    at.checkbox(key="ingest_register").check()
    at.button(key="ingest_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any("2 rows from 1 file(s) were loaded" in s.value for s in at.success)
    assert any("registered 1 new model(s)" in i.value for i in at.info)
    con = connection.connect(root)
    try:
        got = sorted(con.sql("select request_id, prediction_at, score from predictions").fetchall())
    finally:
        con.close()
    assert got == [("r1", datetime(2026, 1, 15, 10, tzinfo=UTC), 0.25),   # Lisbon winter = UTC
                   ("r2", datetime(2026, 7, 15, 9, tzinfo=UTC), 0.75)]    # summer = UTC+1


def test_malformed_mapping_line_is_shown_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(tmp_path / "lake"))
    at = open_page("ingest", "admin")
    at.text_area(key="ingest_mapping").set_value("rid request_id")
    at.run()
    assert not at.exception, at.exception
    assert any("Column mapping, line 1" in e.value for e in at.error)
