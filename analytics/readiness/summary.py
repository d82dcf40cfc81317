"""Readiness for the overview: now and ``PREV_DAYS`` days earlier, with the live evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl

from analytics import parallel
from analytics.readiness import evidence
from analytics.readiness.items import PREV_DAYS, ReadinessSummary
from analytics.readiness.state import share_done, state


def readiness_summary(con: duckdb.DuckDBPyConnection, *, as_of: date | None = None) -> ReadinessSummary:
    """Readiness now (``as_of``, default today) and ``PREV_DAYS`` days earlier, for the overview."""
    today = as_of or datetime.now(UTC).date()
    done = parallel.run_all(con, {"evidence": (evidence.evidence, {"as_of": today}),
                                  "now": (state, {"as_of": today}),
                                  "prev": (state, {"as_of": previous_day(today)})})
    return summarize(done["now"], done["prev"], done["evidence"])


def previous_day(today: date) -> date:
    """The day the overview's readiness delta compares with."""
    return today - timedelta(days=PREV_DAYS)


def summarize(now: pl.DataFrame, prev: pl.DataFrame, evidence_df: pl.DataFrame) -> ReadinessSummary:
    """The summary from ``state`` now and at ``previous_day`` and ``evidence.evidence`` now (pure)."""
    dis = evidence.attach(now, evidence_df)["is_disagreement"].sum()
    return ReadinessSummary(
        n_items=now.height, n_done=int((now["status"] == "done").sum()), share_done=share_done(now),
        n_overdue=int(now["is_overdue"].sum()), n_blocked=int((now["status"] == "blocked").sum()),
        n_disagreements=int(dis), prev_share_done=share_done(prev), items=now)
