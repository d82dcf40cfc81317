"""The regulation tracker: expected cells, latest edit wins, overdue flags, validation, history."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics.errors import InputError
from analytics.governance import regulation

NOW = datetime(2026, 10, 31, 12, tzinfo=UTC)


def _lake(lake) -> None:
    lake.put("datasets", [{"dataset_id": "crm", "name": "CRM", "steward": "Sven", "regulations": ["GDPR", "CCPA"]},
                          {"dataset_id": "wx", "name": "Weather", "owner": "Wei", "regulations": []}])
    lake.put("models", [
        {"model_id": "churn", "name": "Churn", "business_unit": "M", "stage": "production", "task": "classification",
         "owner": "Mia"},
        {"model_id": "old", "name": "Old", "business_unit": "M", "stage": "retired", "task": "classification"}])
    lake.put("lineage", [{"src_kind": "dataset", "src_id": "crm", "dst_kind": "feature", "dst_id": "churn.t"},
                         {"src_kind": "feature", "src_id": "churn.t", "dst_kind": "model_version",
                          "dst_id": "churn@v1"}])


def test_expected_cells_and_latest_edit(lake) -> None:
    _lake(lake)
    cells = regulation.matrix(lake.con(), as_of=NOW.date())
    # crm: GDPR 4 + CCPA 2; churn (fed by crm): GDPR 4 + CCPA 2 + SOC2 3; retired and unregulated: none
    assert cells.filter(cells["asset_id"] == "crm").height == 6
    assert cells.filter(cells["asset_id"] == "churn").height == 9
    assert cells.height == 15 and set(cells["status"]) == {"not_assessed"}
    assert cells.filter(cells["asset_id"] == "crm")["owner"].unique().to_list() == ["Sven"]
    kw = {"actor": "Sven", "asset_kind": "dataset", "asset_id": "crm", "regulation": "GDPR",
          "obligation": "subject_access_erasure"}
    regulation.record(lake.root, **kw, status="in_progress", reviewed_on=date(2025, 1, 1),
                      next_review_on=date(2026, 1, 1), now=NOW.replace(month=1))
    regulation.record(lake.root, **kw, status="compliant", evidence_url="https://wiki/x",
                      reviewed_on=date(2026, 10, 1), next_review_on=date(2026, 12, 1), now=NOW)
    cells = regulation.matrix(lake.con(), as_of=NOW.date())
    cell = cells.filter((cells["asset_id"] == "crm") & (cells["obligation"] == "subject_access_erasure")).row(0, named=True)
    assert (cell["status"], cell["n_edits"], cell["last_actor"], cell["is_overdue"]) == ("compliant", 2, "Sven", False)
    assert regulation.matrix(lake.con(), as_of=date(2026, 12, 2)).filter("is_overdue").height == 1
    h = regulation.headline(lake.con(), as_of=NOW.date())
    assert h["share_compliant"] == pytest.approx(1 / 15) and h["n_not_assessed"] == 14
    hist = regulation.history(lake.con(), asset_id="crm")
    assert hist["status"].to_list() == ["compliant", "in_progress"]  # newest first, nothing overwritten
    wide = regulation.pivot(cells)
    assert wide.filter(wide["asset_id"] == "crm")["GDPR: Subject access & erasure"][0] == "compliant"


@pytest.mark.parametrize(("change", "words"), [
    ({"regulation": "HIPAA"}, "Regulation must be"), ({"obligation": "opt_out"}, "GDPR obligations"),
    ({"status": "done"}, "Status must be"), ({"evidence_url": "wiki page"}, "not an http"),
    ({"status": "compliant", "evidence_url": ""}, "needs an evidence link"), ({"actor": ""}, "actor"),
    ({"reviewed_on": date(2027, 1, 1)}, "future"),
    ({"reviewed_on": date(2026, 5, 1), "next_review_on": date(2026, 4, 1)}, "after the last review"),
])
def test_bad_edits_are_rejected_and_write_nothing(lake, change, words) -> None:
    kw = {"actor": "Sven", "asset_kind": "dataset", "asset_id": "crm", "regulation": "GDPR",
          "obligation": "lawful_basis", "status": "in_progress", "now": NOW, **change}
    with pytest.raises(InputError, match=words):
        regulation.record(lake.root, **kw)
    assert not (lake.root / "regulation_events").exists()
