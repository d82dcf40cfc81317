"""Rollups are incremental (only new files), rebuilt when a seen file changes, and equal to a full scan."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import polars as pl

from analytics.lakehouse import refresh as rollup_refresh
from analytics.lakehouse import rollups


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


def test_all_rollups_declare_schema_source_and_one_producer():
    names = [r.name for r in rollups.ROLLUPS]
    assert len(names) == len(set(names)), "a rollup is declared twice"
    for r in rollups.ROLLUPS:
        assert r.schema.names and r.source and (r.sql_name is None) != (r.compute is None), r.name
        if r.from_rollup:  # a rollup over a rollup reads one that is built from a table
            assert r.source in rollups.BY_NAME and not rollups.BY_NAME[r.source].from_rollup, r.name


def test_a_rollup_whose_columns_changed_is_rebuilt(lake):
    import json

    lake.put("predictions", _preds(datetime(2025, 1, 1, tzinfo=UTC), 20))
    lake.refresh()
    manifest = lake.root / "_rollups" / "rollup_predictions_daily" / "_manifest.json"
    saved = json.loads(manifest.read_text())
    saved["schema"] = "model_id:string"  # as written by an older declaration of the rollup
    manifest.write_text(json.dumps(saved))
    rep = {r.name: r for r in lake.refresh()}["rollup_predictions_daily"]
    assert rep.rebuilt and rep.new_files == 1
    assert not {r.name: r for r in lake.refresh()}["rollup_predictions_daily"].rebuilt  # once
    con = lake.con()
    assert _daily(con).equals(_exact(con))


def test_user_activity_masks_the_weeks_with_invocations(lake):
    """Hand-worked: u1 invokes in weeks w and w+2 (w+1 has only a view), u2 only views; week w+3
    crosses into the next 63-week block."""
    from datetime import date

    monday = date(2025, 1, 6)
    week = (monday - date(1970, 1, 5)).days // 7
    offset = 60 - week % 63  # start at bit 60 of a block, so week + 3 lands in the next block
    t = datetime.combine(monday + timedelta(weeks=offset), datetime.min.time(), tzinfo=UTC)
    w = week + offset
    lake.put("usage_events", [
        {"event_at": t, "model_id": "m", "user_id": "u1", "event_type": "invoke"},
        {"event_at": t + timedelta(days=1), "model_id": "m", "user_id": "u1", "event_type": "invoke"},
        {"event_at": t + timedelta(days=8), "model_id": "m", "user_id": "u1", "event_type": "view"},
        {"event_at": t + timedelta(days=15), "model_id": "m", "user_id": "u1", "event_type": "invoke"},
        {"event_at": t + timedelta(days=22), "model_id": "m", "user_id": "u1", "event_type": "invoke"},
        {"event_at": t + timedelta(days=3), "model_id": "m", "user_id": "u2", "event_type": "view"},
    ])
    lake.refresh()
    rows = lake.con().sql("select user_id, block, active_weeks from rollup_usage_user_activity "
                          "order by user_id, block").fetchall()
    assert w % 63 == 60
    assert rows == [("u1", w // 63, 2**60 + 2**62), ("u1", w // 63 + 1, 2**0)]


def test_user_activity_is_recomputed_whole_when_the_weekly_rollup_changes(lake):
    """A week split across two source files is one bit; one compact part is kept; a refresh with
    nothing new leaves it alone."""
    from datetime import date

    t = datetime(2025, 1, 6, 9, tzinfo=UTC)
    lake.put("usage_events", [{"event_at": t, "model_id": "m", "user_id": "u1", "event_type": "invoke"}])
    lake.refresh()
    lake.put("usage_events", [{"event_at": t + timedelta(days=2), "model_id": "m", "user_id": "u1",
                               "event_type": "invoke"},
                              {"event_at": t + timedelta(days=7), "model_id": "m", "user_id": "u1",
                               "event_type": "invoke"}])
    rep = {r.name: r for r in lake.refresh()}["rollup_usage_user_activity"]
    assert rep.rebuilt and rep.new_files == 2  # both weekly parts read again
    assert len(rollup_refresh.live_parts(lake.root, "rollup_usage_user_activity")) == 1  # retired one aside
    bit = (date(2025, 1, 6) - date(1970, 1, 5)).days // 7 % 63
    assert lake.con().sql("select active_weeks from rollup_usage_user_activity").fetchall() == [
        (2**bit + 2**(bit + 1),)]
    idle = {r.name: r for r in lake.refresh()}["rollup_usage_user_activity"]
    assert idle.new_files == 0 and not idle.rebuilt


def test_rollups_over_rollups_come_after_their_source():
    order = [r.name for r in rollups.ROLLUPS]
    for r in rollups.ROLLUPS:
        if r.from_rollup:
            assert order.index(r.source) < order.index(r.name)
