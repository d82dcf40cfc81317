"""Period presets of the sidebar, hand-worked."""

from __future__ import annotations

from datetime import date

import pytest

from app.filters import period_range

FIRST = date(2024, 11, 1)


@pytest.mark.parametrize(("period", "last", "expected"), [
    ("This quarter", date(2026, 11, 26), (date(2026, 10, 1), date(2026, 11, 26))),
    ("Last quarter", date(2026, 11, 26), (date(2026, 7, 1), date(2026, 9, 30))),
    ("Last quarter", date(2026, 2, 10), (date(2025, 10, 1), date(2025, 12, 31))),
    ("This quarter", date(2026, 3, 31), (date(2026, 1, 1), date(2026, 3, 31))),
    ("Year to date", date(2026, 11, 26), (date(2026, 1, 1), date(2026, 11, 26))),
    ("Last 12 months", date(2026, 10, 31), (date(2025, 11, 1), date(2026, 10, 31))),
    ("Custom", date(2026, 10, 31), (date(2025, 11, 1), date(2026, 10, 31))),
    # clipped to the first day with data
    ("Year to date", date(2024, 12, 15), (FIRST, date(2024, 12, 15))),
    ("Last quarter", date(2024, 11, 20), (FIRST, FIRST)),
])
def test_period_range(period, last, expected):
    assert period_range(period, last, FIRST) == expected
