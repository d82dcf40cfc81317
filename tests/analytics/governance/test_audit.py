"""The audit log: one row per write, read back newest first with filters (hand-worked rows)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from analytics.errors import InputError
from analytics.governance import audit


def test_record_and_recent_filters(lake):
    t = lambda d, h: datetime(2026, 3, d, h, tzinfo=UTC)  # noqa: E731
    audit.record(lake.root, actor="alice", role="admin", action="ingest", target="models", page="ingest", at=t(1, 9))
    audit.record(lake.root, actor="bob", role="product_manager", action="ledger.edit", target="m1", page="roi",
                 detail="cost 2026-02", at=t(2, 23))
    audit.record(lake.root, actor="alice", role="admin", action="users.add", target="bob", page="admin", at=t(3, 0))
    con = lake.con()
    log = audit.recent(con)
    assert log["target"].to_list() == ["bob", "m1", "models"]  # newest first
    assert log.row(1, named=True) | {"event_id": None} == {
        "event_id": None, "event_at": t(2, 23), "actor": "bob", "role": "product_manager", "action": "ledger.edit",
        "target": "m1", "page": "roi", "detail": "cost 2026-02"}
    assert audit.recent(con, actor="alice")["target"].to_list() == ["bob", "models"]
    assert audit.recent(con, action="ingest")["actor"].to_list() == ["alice"]
    # end_date is inclusive of the whole UTC day
    assert audit.recent(con, start_date=date(2026, 3, 2), end_date=date(2026, 3, 2))["target"].to_list() == ["m1"]
    assert audit.recent(con, limit=1).height == 1
    assert audit.actions(con) == ["ingest", "ledger.edit", "users.add"]
    assert log["event_id"].n_unique() == 3


def test_record_needs_actor_and_action(lake):
    with pytest.raises(InputError):
        audit.record(lake.root, actor="", action="x")
    assert audit.recent(lake.con()).height == 0


def test_cli_actor():
    assert audit.cli_actor().startswith("cli:")
