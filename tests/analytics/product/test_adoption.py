"""Adoption: hand-worked inline rows, a brute-force oracle over raw events, and invariants."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from analytics.errors import InputError
from analytics.product import adoption
from analytics.product.scope import Scope

MODELS = [
    {"model_id": "m1", "name": "M1", "business_unit": "Retail", "stage": "production", "task": "regression"},
    {"model_id": "m2", "name": "M2", "business_unit": "Finance", "stage": "production",
     "task": "classification"},
]


def ev(day: date, model: str, user: str, event_type: str = "invoke", country: str = "DE") -> dict:
    return {"event_at": datetime(day.year, day.month, day.day, 12, tzinfo=UTC), "model_id": model,
            "user_id": user, "country": country, "event_type": event_type}


# Mondays: 2025-03-03, 03-10, 03-17, 03-24, 03-31
W = [date(2025, 3, 3) + timedelta(weeks=i) for i in range(5)]


@pytest.fixture
def small(lake):
    lake.put("models", MODELS)
    lake.put("eligible_users", [
        {"model_id": "m1", "user_id": "u1", "team": "A", "country": "DE"},
        {"model_id": "m1", "user_id": "u2", "team": "A", "country": "DE"},
        {"model_id": "m1", "user_id": "u3", "team": "B", "country": "FR"},
        {"model_id": "m1", "user_id": "u4", "team": "B", "country": "FR"},
        {"model_id": "m2", "user_id": "u1", "team": "A", "country": "DE"},
        {"model_id": "m2", "user_id": "u5", "team": "C", "country": "FR",
         "eligible_from": date(2025, 6, 1)},  # not yet eligible in March
    ])
    lake.put("usage_events", [
        # u1 uses m1 in weeks 1, 2, 3 (regular for the 4 weeks W1..W4) and m2 once
        ev(W[1], "m1", "u1"), ev(W[2], "m1", "u1"), ev(W[3], "m1", "u1"), ev(W[3], "m2", "u1"),
        # u2 invokes m1 once in the window, in week 0 (so tried, not regular)
        ev(W[0], "m1", "u2"),
        # u3 only views: not an invocation
        ev(W[2], "m1", "u3", "view", "FR"),
        # u9 invokes m1 but is not eligible: not counted
        ev(W[2], "m1", "u9"),
        # u4 invoked in February (previous window only)
        ev(date(2025, 2, 4), "m1", "u4", country="FR"),
    ])
    lake.refresh()
    return lake


def test_summary_hand_worked(small):
    s = adoption.adoption_summary(small.con(), Scope(date(2025, 3, 1), date(2025, 3, 30)))
    # eligible pairs: m1 x 4 + m2 x 1 (u5 is eligible from June) = 5; tried: (m1,u1) (m1,u2) (m2,u1)
    assert (s.eligible_seats, s.active_seats, s.regular_seats) == (5, 3, 1)
    assert s.adoption_rate == pytest.approx(3 / 5)
    # previous window 2025-01-30 .. 2025-02-28: only (m1,u4) tried, 5 eligible
    assert (s.prev_eligible_seats, s.prev_active_seats) == (5, 1)
    assert s.prev_adoption_rate == pytest.approx(1 / 5)


def test_breakdowns_hand_worked(small):
    sc = Scope(date(2025, 3, 1), date(2025, 3, 30))
    con = small.con()
    by_model = adoption.adoption_by(con, sc, "model_id")
    assert by_model.select("model_id", "n_eligible", "n_tried", "n_regular", "adoption_rate").rows() == [
        ("m1", 4, 2, 1, 0.5), ("m2", 1, 1, 0, 1.0)]
    by_team = adoption.adoption_by(con, sc, "team")
    assert by_team.select("team", "n_eligible", "n_tried").rows() == [("B", 2, 0), ("A", 3, 3)]
    by_country = adoption.adoption_by(con, Scope(sc.start, sc.end, countries=("FR",)), "country")
    assert by_country.select("country", "n_eligible", "n_tried").rows() == [("FR", 2, 0)]
    by_bu = adoption.adoption_by(con, Scope(sc.start, sc.end, business_units=["Finance"]), "business_unit")
    assert by_bu.select("business_unit", "n_eligible", "n_tried").rows() == [("Finance", 1, 1)]
    with pytest.raises(InputError, match="Cannot break adoption down"):
        adoption.adoption_by(con, sc, "user_id; drop table models")


def test_funnel_and_laggards(small):
    sc = Scope(date(2025, 3, 1), date(2025, 3, 30))
    f = adoption.funnel(small.con(), sc)
    assert f["n_seats"].to_list() == [5, 3, 1]
    assert f["share_of_eligible"].to_list() == pytest.approx([1, 0.6, 0.2])
    lag = adoption.laggard_teams(small.con(), sc, min_eligible=2)
    assert lag["team"].to_list() == ["B"]  # 0% < half of 60%
    assert adoption.laggard_teams(small.con(), sc, min_eligible=3).is_empty()


def test_usage_over_time_hand_worked(small):
    out = adoption.usage_over_time(small.con(), Scope(date(2025, 3, 1), date(2025, 3, 30)))
    assert out.rows() == [
        (W[0], 1, 1, 1), (W[1], 1, 1, 1), (W[2], 2, 2, 3), (W[3], 1, 2, 2)]


def test_empty_lakehouse(lake):
    sc = Scope(date(2025, 1, 1), date(2025, 12, 31))
    s = adoption.adoption_summary(lake.con(), sc)
    assert (s.eligible_seats, s.active_seats, s.adoption_rate, s.prev_adoption_rate) == (0, 0, None, None)
    assert adoption.usage_over_time(lake.con(), sc).is_empty()
    assert adoption.feedback_monthly(lake.con(), sc).is_empty()


def test_feedback(small):
    small.put("feedback", [
        {"submitted_at": datetime(2025, 3, 5, tzinfo=UTC), "model_id": "m1", "user_id": "u1", "rating": 5,
         "comment": "great"},
        {"submitted_at": datetime(2025, 3, 20, tzinfo=UTC), "model_id": "m1", "user_id": "u3", "rating": 2,
         "comment": " "},
        {"submitted_at": datetime(2025, 4, 2, tzinfo=UTC), "model_id": "m1", "user_id": "u3", "rating": 1,
         "comment": "wrong again"},
    ])
    con = small.con()
    sc = Scope(date(2025, 3, 1), date(2025, 4, 30))
    monthly = adoption.feedback_monthly(con, sc)
    assert monthly.select("month", "n_ratings", "mean_rating", "n_low_ratings").rows() == [
        (date(2025, 3, 1), 2, 3.5, 1), (date(2025, 4, 1), 1, 1.0, 1)]
    comments = adoption.feedback_comments(con, sc)
    assert comments["comment"].to_list() == ["wrong again", "great"]  # blank comment dropped
    assert adoption.feedback_comments(con, Scope(sc.start, sc.end, countries=["DE"]))["comment"].to_list() == ["great"]


ORACLE_WINDOWS = [
    (date(2025, 2, 3), date(2025, 4, 13)),  # a Monday .. a Sunday
    (date(2025, 1, 15), date(2025, 2, 12)),  # mid-week .. mid-week, split across the two files
    (date(2024, 10, 1), date(2024, 12, 1)),  # before any usage
    (date(2024, 12, 20), date(2025, 1, 8)),  # ends in the first usage week
    (date(2025, 6, 20), date(2025, 12, 30)),  # runs past the last usage week
    (date(2025, 3, 5), date(2025, 3, 5)),  # one day
    (date(2025, 6, 15), date(2025, 7, 23)),  # the 4 "regular" weeks straddle two 63-week mask blocks
    (date(2025, 2, 6), date(2025, 2, 6)),  # one Thursday, whose week is split across two files
    (date(2025, 3, 1), date(2025, 5, 31)),  # whole months (a Saturday .. a Saturday)
    (date(2025, 3, 3), date(2025, 3, 9)),  # exactly one week
]


@pytest.mark.parametrize(("s_date", "e_date"), ORACLE_WINDOWS)
def test_oracle_against_raw_events(lake, s_date, e_date):
    """Random users and events: the rollup-based figures equal a brute-force count over raw events,
    for windows inside, across the edges of and outside the usage span."""
    rng = random.Random(3)
    lake.put("models", MODELS)
    users = [f"u{i}" for i in range(60)]
    elig = [{"model_id": m, "user_id": u, "team": f"T{int(u[1:]) % 4}", "country": rng.choice(["DE", "FR"])}
            for m in ("m1", "m2") for u in users if rng.random() < 0.7]
    lake.put("eligible_users", elig)
    start = date(2025, 1, 1)
    events = [ev(start + timedelta(days=rng.randrange(240)), rng.choice(["m1", "m2"]), rng.choice(users),
                 rng.choice(["invoke", "invoke", "view"])) for _ in range(1600)]
    split = date(2025, 2, 6)  # a Thursday: that week's events land in two files (two rollup parts)
    lake.put("usage_events", [e for e in events if e["event_at"].date() < split])
    lake.refresh()
    lake.put("usage_events", [e for e in events if e["event_at"].date() >= split])
    lake.refresh()
    sc = Scope(s_date, e_date)
    cells = adoption.adoption_cells(lake.con(), sc)

    def monday(d: date) -> date:
        return d - timedelta(days=d.weekday())

    eligible = {(r["model_id"], r["user_id"]) for r in elig}
    invokes = [e for e in events if e["event_type"] == "invoke" and (e["model_id"], e["user_id"]) in eligible]
    in_window = [e for e in invokes if s_date <= e["event_at"].date() <= e_date]  # the event's date
    tried = {(e["model_id"], e["user_id"]) for e in in_window}
    weeks: dict[tuple, set] = {}
    anchor = min(monday(e_date), monday(max(e["event_at"].date() for e in events)))  # the newest usage
    for e in invokes:
        if anchor - timedelta(weeks=3) <= monday(e["event_at"].date()) <= anchor:
            weeks.setdefault((e["model_id"], e["user_id"]), set()).add(monday(e["event_at"].date()))
    regular = {k for k, w in weeks.items() if len(w) >= 3} & tried  # the funnel is nested
    assert cells["n_eligible"].sum() == len(eligible)
    assert cells["n_tried"].sum() == len(tried)
    assert cells["n_regular"].sum() == len(regular)
    assert cells["n_invocations"].sum() == len(in_window)
    by_team = adoption.adoption_by(lake.con(), sc, "team")
    team_of = {r["user_id"]: r["team"] for r in elig}
    for row in by_team.iter_rows(named=True):
        assert row["n_tried"] == sum(1 for _, u in tried if team_of[u] == row["team"])
    # invariants: 0 <= share <= 1, regular <= tried <= eligible
    assert by_team.filter((pl.col("adoption_rate") < 0) | (pl.col("adoption_rate") > 1)).is_empty()
    assert cells.filter((pl.col("n_regular") > pl.col("n_tried")) |
                        (pl.col("n_tried") > pl.col("n_eligible"))).is_empty()


def test_single_day_window_counts_that_days_users(lake):
    """A one-day window that had 37 users shows 37 active seats (a weekly rollup alone shows 0 when
    the day is not a Monday)."""
    lake.put("models", MODELS)
    users = [f"u{i}" for i in range(40)]
    lake.put("eligible_users", [{"model_id": "m1", "user_id": u, "team": "A", "country": "DE"} for u in users])
    day = date(2025, 3, 5)  # a Wednesday
    lake.put("usage_events", [ev(day, "m1", u) for u in users[:37]]
             + [ev(day - timedelta(days=1), "m1", u) for u in users[30:]]  # the day before: not counted
             + [ev(day + timedelta(days=1), "m1", "u39")])  # the day after: not counted
    lake.refresh()
    s = adoption.adoption_summary(lake.con(), Scope(day, day))
    assert (s.eligible_seats, s.active_seats) == (40, 37)


def test_regular_is_anchored_at_the_newest_usage_when_the_window_runs_past_it(small):
    """A window not over yet (ends after the newest usage, e.g. "This quarter") still finds the
    regulars: their 4 weeks end at the newest usage week, not at an empty future week."""
    s = adoption.adoption_summary(small.con(), Scope(date(2025, 3, 1), date(2025, 5, 31)))
    assert (s.active_seats, s.regular_seats) == (3, 1)  # u1 on m1 in weeks 1-3
