"""The demo's calendar: the 24-month span and the dates of the story's episodes, derived from ``end``.

All episode dates are relative to ``end`` so any ``end`` tells the same story:

* regime change: ``basket_recommender.basket_size`` shifts up (x2.6, larger baskets after a bundle
  promotion) from 3 March of the last year of data (the latest 3 March at least 30 days before
  ``end``) and stays up to ``end``; the model, trained before, loses AUC from then on;
* seasonal drift: ``demand_forecast.temperature`` follows the seasons (its training window is in winter);
* seasonal confidence loss: ``predictive_maintenance`` scores its logged inputs, its ``bearing_temp``
  follows the seasons, and above ~68 C the model separates failures less well: its AUC falls from
  late April to mid-June and recovers in September (``traffic.maintenance_risk``); the score distribution
  shows it at once, the delayed labels weeks later (label-free estimation's story);
* broken upstream feed ``crm_accounts``: null share of ``account_tenure_months`` jumps to ~30% seven
  weeks before ``end``; its batches stop 18 days before ``end``; ``churn_propensity``'s
  ``monthly_spend`` drifts and its AUC drops in the last five weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class Story:
    start: date  # first day of data (first day of the month 23 months before end's month)
    end: date  # last day of data (inclusive)
    drift_start: date
    drift_end: date  # first day after the basket_size episode (after ``end``: it persists)
    crm_null_from: date
    crm_stop_from: date  # no crm_accounts batch on or after this day
    churn_drift_from: date

    @property
    def n_days(self) -> int:
        return (self.end - self.start).days + 1

    def day(self, d: date) -> int:
        """Index of a date in the span (may be negative or beyond the span)."""
        return (d - self.start).days

    def date_of(self, i: int) -> date:
        return self.start + timedelta(days=int(i))

    @property
    def start_us(self) -> int:
        return to_us(self.start)

    @property
    def end_us(self) -> int:
        """First microsecond after the span."""
        return to_us(self.end + timedelta(days=1))

    def month_of_day(self) -> np.ndarray:
        """Per day of the span, the index of its calendar month (0 = start's month)."""
        days = [self.date_of(i) for i in range(self.n_days)]
        return np.array([(d.year - self.start.year) * 12 + d.month - self.start.month for d in days])

    def months(self) -> list[date]:
        out, d = [], self.start
        while d <= self.end:
            out.append(d)
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return out


def to_us(d: date | datetime) -> int:
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day, tzinfo=UTC)
    return int(d.timestamp() * 1_000_000)


def make_story(end: date) -> Story:
    m = end.month - 23
    y = end.year + (m - 1) // 12
    start = date(y, (m - 1) % 12 + 1, 1)
    year = end.year if date(end.year, 3, 3) <= end - timedelta(days=30) else end.year - 1
    drift_start = date(year, 3, 3)
    return Story(
        start=start, end=end, drift_start=drift_start, drift_end=end + timedelta(days=1),
        crm_null_from=end - timedelta(days=49), crm_stop_from=end - timedelta(days=17),
        churn_drift_from=end - timedelta(days=35),
    )
