"""Catalog coverage KPIs with hand-worked shares."""

from __future__ import annotations

import pytest

from analytics.governance import catalog


def test_coverage_hand_worked(lake) -> None:
    lake.put("datasets", [
        {"dataset_id": "a", "name": "A", "domain": "x", "owner": "o", "steward": "s", "description": "d", "is_pii": True},
        {"dataset_id": "b", "name": "B", "domain": "x", "owner": "o", "steward": None, "description": "d"},
        {"dataset_id": "c", "name": "C", "domain": "y", "owner": " ", "steward": "s", "description": None},
        {"dataset_id": "d", "name": "D", "domain": "y", "owner": "o", "steward": "s", "description": "  "}])
    cov = catalog.coverage(lake.con())
    # owner and steward: a, d (c's owner is blank) -> 2/4; described: a, b -> 2/4
    assert (cov.n_datasets, cov.n_owner_and_steward, cov.n_described, cov.n_pii) == (4, 2, 2, 1)
    assert cov.share_owner_and_steward == pytest.approx(0.5) and cov.share_described == pytest.approx(0.5)
    y = catalog.coverage(lake.con(), domain="y")
    assert y.share_owner_and_steward == pytest.approx(0.5) and y.share_described == 0
    gaps = {r["dataset_id"]: r["missing"] for r in catalog.gaps(lake.con()).iter_rows(named=True)}
    assert gaps == {"b": "steward", "c": "owner, description", "d": "description"}


def test_empty_catalog(lake) -> None:
    cov = catalog.coverage(lake.con())
    assert cov.n_datasets == 0 and cov.share_owner_and_steward is None
