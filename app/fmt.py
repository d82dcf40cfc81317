"""Number formatting for people: the pure formatters live in ``analytics.report.fmt`` so the PDF and
the page print the same figure; the page imports them from here."""

from analytics.report.fmt import by_unit, count, day, delta, headline, moment, pct, ratio, usd  # noqa: F401
