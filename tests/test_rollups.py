"""Rollups are incremental (only new files), rebuilt when a seen file changes, and equal to a full scan."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import polars as pl

from analytics import rollups


def _preds(start: datetime, n: int, model: str = "m") -> list[dict]:
    return [{"prediction_at": start + timedelta(hours=7 * i), "model_id": model, "version": "1",
             "request_id": f"{model}-{start:%m%d}-{i}", "team": "t" + str(i % 2), "country": "DE",
             "score": (i % 10) / 10, "latency_ms": float(i)} for i in range(n)]


def _daily(con) -> pl.DataFrame:
    return con.sql("""select model_id, day, team, sum(n_predictions) as n, sum(sum_score) as s,
                      max(max_latency_ms) as mx from rollup_predictions_daily group by all order by all""").pl()


def _exact(con) -> pl.DataFrame:
    return con.sql("""select model_id, cast(prediction_at as date) as day, team, count(*) as n, sum(score) as s,
                      max(latency_ms) as mx from predictions group by all order by all""").pl()


def test_incremental_refresh_processes_only_new_files_and_matches_a_scan(lake):
    lake.put("predictions", _preds(datetime(2025, 1, 1, tzinfo=UTC), 50))
    first = {r.name: r for r in lake.refresh()}
    assert first["rollup_predictions_daily"].new_files == 1
    again = {r.name: r for r in lake.refresh()}
    assert again["rollup_predictions_daily"].new_files == 0
    lake.put("predictions", _preds(datetime(2025, 1, 5, tzinfo=UTC), 30, model="k"))
    third = {r.name: r for r in lake.refresh()}
    assert third["rollup_predictions_daily"].new_files == 1 and not third["rollup_predictions_daily"].rebuilt
    con = lake.con()
    assert _daily(con).equals(_exact(con))


def test_changed_source_file_triggers_rebuild(lake):
    lake.put("predictions", _preds(datetime(2025, 1, 1, tzinfo=UTC), 20))
    lake.refresh()
    victim = next((lake.root / "predictions").rglob("*.parquet"))
    os.remove(victim)
    lake.put("predictions", _preds(datetime(2025, 3, 1, tzinfo=UTC), 10))
    rep = {r.name: r for r in lake.refresh()}["rollup_predictions_daily"]
    assert rep.rebuilt
    con = lake.con()
    assert _daily(con).equals(_exact(con))
    assert con.sql("select sum(n_predictions) from rollup_predictions_daily").fetchall() == [(10,)]


def test_usage_rollup_counts_invocations_per_user_week(lake):
    t = datetime(2025, 1, 6, 9, tzinfo=UTC)  # a Monday
    lake.put("usage_events", [
        {"event_at": t, "model_id": "m", "user_id": "u1", "event_type": "invoke"},
        {"event_at": t + timedelta(days=2), "model_id": "m", "user_id": "u1", "event_type": "view"},
        {"event_at": t + timedelta(days=6, hours=14), "model_id": "m", "user_id": "u1", "event_type": "invoke"},
        {"event_at": t + timedelta(days=7), "model_id": "m", "user_id": "u1", "event_type": "invoke"},
    ])
    lake.refresh()
    rows = lake.con().sql("select week_start, n_events, n_invocations from rollup_usage_user_week "
                          "order by week_start").fetchall()
    from datetime import date
    assert rows == [(date(2025, 1, 6), 3, 2), (date(2025, 1, 13), 1, 1)]


def test_all_rollups_declare_schema_and_source():
    for r in rollups.all_rollups():
        assert r.schema.names and r.source and (r.sql_name or r.compute)


def test_a_rollup_whose_columns_changed_is_rebuilt(lake):
    import json

    lake.put("predictions", _preds(datetime(2025, 1, 1, tzinfo=UTC), 20))
    lake.refresh()
    state = lake.root / "_rollups" / "rollup_predictions_daily" / "_state.json"
    saved = json.loads(state.read_text())
    saved["__schema__"] = "model_id:string"  # as written by an older declaration of the rollup
    state.write_text(json.dumps(saved))
    rep = {r.name: r for r in lake.refresh()}["rollup_predictions_daily"]
    assert rep.rebuilt and rep.new_files == 1
    assert not {r.name: r for r in lake.refresh()}["rollup_predictions_daily"].rebuilt  # once
    con = lake.con()
    assert _daily(con).equals(_exact(con))
