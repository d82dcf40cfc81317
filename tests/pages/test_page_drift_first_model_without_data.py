"""The drift explorer when the first model (by name) has no logged features: it opens on a model
that has data, and choosing the empty one says why instead of failing (before: NameError 'w')."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from analytics import pipeline
from apptest import page_path, signed_in

START = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.slow
def test_drift_page_skips_a_first_model_without_data(lake, monkeypatch) -> None:
    lake.put("models", [{"model_id": m, "name": n, "business_unit": "bu", "stage": "production",
                         "task": "classification"} for m, n in (("a", "Alpha scorer"), ("b", "Beta scorer"))])
    lake.put("model_versions", [{"model_id": m, "version": "v1", "registered_at": START + timedelta(days=31),
                                 "train_start_at": START, "train_end_at": START + timedelta(days=30)} for m in "ab"])
    rng = np.random.default_rng(1)
    days = np.repeat(np.arange(60), 20)
    lake.put("features", pl.DataFrame({
        "feature_at": [START + timedelta(days=int(d), hours=12) for d in days], "model_id": "b", "version": "v1",
        "request_id": [f"r{i}" for i in range(days.size)], "feature": "amount",
        "value_num": rng.normal(10, 2, days.size)}))
    pipeline.refresh(lake.root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    at = signed_in("data_scientist", timeout=120)
    at.switch_page(page_path("drift"))
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="drift_model").value == "b"  # before: "a", then NameError
    assert "Features drifted" in [m.label for m in at.metric]
    at.selectbox(key="drift_model").set_value("a").run()
    assert not at.exception, at.exception
    said = [e.value for kind in (at.error, at.info, at.warning) for e in kind]
    assert any("Alpha scorer has no logged features or predictions yet" in s for s in said), said
