"""A damaged or odd lakehouse degrades one panel, never the page: a file whose footer reads but whose
data pages do not (the case `lakehouse.connect` cannot skip), and a model without any features."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apptest import open_page

pytestmark = pytest.mark.slow


def _break_data_pages(path: Path) -> None:
    """Overwrite everything between the magic bytes and the footer: the schema still reads."""
    raw = bytearray(path.read_bytes())
    footer = int.from_bytes(raw[-8:-4], "little")
    raw[4:len(raw) - 8 - footer] = b"\xab" * (len(raw) - 12 - footer)
    path.write_bytes(bytes(raw))


@pytest.fixture
def own_lake(demo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "lakehouse"
    shutil.copytree(demo_root, root)
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(root))
    return root


def _messages(at) -> str:
    return "\n".join(e.value for e in [*at.error, *at.info, *at.warning])


def test_readiness_survives_an_unreadable_checklist_file(own_lake):
    _break_data_pages(sorted((own_lake / "checklist_events").glob("*.parquet"))[-1])
    at = open_page("readiness", "admin")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Readiness checklist"]
    assert "checklist_fold" in _messages(at)  # the panels that need the file say so


def test_readiness_survives_an_unreadable_evidence_file(own_lake):
    _break_data_pages(sorted((own_lake / "datasets").rglob("*.parquet"))[-1])
    at = open_page("readiness", "admin")
    assert not at.exception, at.exception
    assert "evidence_data_catalog" in _messages(at)
    assert any(s.proto.body == "History of an item" or "History" in str(s.value) for s in at.subheader)


def test_drift_survives_an_unreadable_profile_file(own_lake):
    for f in (own_lake / "_rollups" / "drift_profiles").rglob("*.parquet"):
        _break_data_pages(f)
    at = open_page("drift", "admin")
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == ["Drift explorer"]
    assert _messages(at)


def test_drift_explains_a_model_without_features(lake, monkeypatch):
    now = datetime(2026, 10, 1, tzinfo=UTC)
    lake.put("models", [{"model_id": "bare", "name": "Bare model", "business_unit": "Retail", "stage": "production",
                        "task": "classification"}])
    lake.put("model_versions", [{"model_id": "bare", "version": "v1", "registered_at": now,
                                 "train_start_at": datetime(2026, 1, 1, tzinfo=UTC), "train_end_at": now}])
    lake.refresh()
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    at = open_page("drift", "admin")
    assert not at.exception, at.exception
    # the explorer says why nothing can be shown (no model with logged data), not a crash
    assert "No model in this selection has logged features or predictions yet" in _messages(at)
