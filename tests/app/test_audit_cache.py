"""A row in the audit log (a failed sign-in writes one, signed in or not) leaves every other cached
result warm, and the audit log's own readers see it at once."""

from __future__ import annotations

import importlib

import pyarrow.parquet as pq

from analytics.governance import audit
from analytics.lakehouse import connection, schema
from app import data


def test_an_audit_row_keeps_cached_results_warm_and_shows_in_the_audit_log(lake, monkeypatch):
    monkeypatch.setenv("SCALEBOARD_LAKEHOUSE", str(lake.root))
    data._call.clear()
    calls = []
    real = connection.problems

    def counting(con):
        calls.append(1)
        return real(con)

    counting.__module__, counting.__qualname__ = real.__module__, real.__qualname__
    monkeypatch.setattr(importlib.import_module(real.__module__), real.__qualname__, counting)

    data.begin_run()
    assert data.cached(connection.problems) == []
    assert data.cached(audit.recent).height == 0

    audit.record(lake.root, actor="signin:mallory", action="signin.failed", target="203.0.113.9",
                 page="signin", detail="unknown user name or wrong password")
    data.begin_run()  # the next script run of any session
    assert data.cached(connection.problems) == []
    assert len(calls) == 1  # not recomputed: the failed sign-in did not flush it
    log = data.cached(audit.recent)
    assert log.height == 1 and log["actor"][0] == "signin:mallory"  # the audit page sees it now

    models = schema.TABLES["models"].schema
    (lake.root / "models").mkdir(exist_ok=True)
    pq.write_table(models.empty_table(), lake.root / "models" / "part-empty.parquet")  # any other write

    data.begin_run()
    data.cached(connection.problems)
    assert len(calls) == 2  # ... still refreshes every result
