"""`scaleboard refresh` in plain order; steps after the rollups are skipped only when nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

from analytics import pipeline
from analytics.cli import main
from analytics.drift import alerts as drift_alerts


def _model(lake, model_id="m1"):
    lake.put("models", [{"model_id": model_id, "name": model_id, "business_unit": "bu", "stage": "production",
                         "task": "classification"}])


def test_evaluation_runs_once_per_change(lake, monkeypatch):
    calls = []
    real = drift_alerts.evaluate
    monkeypatch.setattr(drift_alerts, "evaluate", lambda root: calls.append(root) or real(root))
    _model(lake)
    assert pipeline.refresh(lake.root).evaluated and len(calls) == 1
    assert not pipeline.refresh(lake.root).evaluated and len(calls) == 1  # nothing new: skipped
    # a table no rollup reads (models) still counts: the evaluation reads it
    _model(lake, "m2")
    assert pipeline.refresh(lake.root).evaluated and len(calls) == 2
    assert pipeline.refresh(lake.root, full=True).evaluated and len(calls) == 3  # --full always evaluates


def test_a_refresh_with_nothing_new_prints_one_line_not_a_table_of_zeros(lake, capsys):
    _model(lake)
    lake.put("predictions", [{"request_id": "r1", "model_id": "m1", "version": "1", "score": 0.5,
                              "prediction_at": datetime(2026, 1, 5, tzinfo=UTC)}])
    assert main(["refresh", "--lakehouse", str(lake.root)]) == 0
    first = capsys.readouterr().out
    assert "rollup_predictions_daily" in first and "evaluated" in first
    assert main(["refresh", "--lakehouse", str(lake.root)]) == 0
    again = capsys.readouterr().out.strip().splitlines()
    assert len(again) == 2 and "up to date" in again[0] and "skipped" in again[1], again
