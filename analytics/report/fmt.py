"""Number formatting for people: $1.2M, 34%, 1.8x."""

from __future__ import annotations

import math


def usd(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    sign = "-" if x < 0 else ""
    a = abs(x)
    for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= div:
            return f"{sign}${a / div:,.1f}{suffix}"
    return f"{sign}${a:,.0f}"


def pct(x: float | None, digits: int = 0) -> str:
    return "–" if x is None else f"{x * 100:.{digits}f}%"


def ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}x"


def count(x: int | None) -> str:
    return "–" if x is None else f"{x:,}"


def by_unit(unit: str, x) -> str:
    return {"usd": usd, "share": pct, "percent": pct, "ratio": ratio, "count": count}[unit](x)


def delta(unit: str, now: float | None, before: float | None) -> str | None:
    """A signed change for st.metric ('+$1.2M', '+3 pts', '-2'), None when not comparable."""
    if now is None or before is None:
        return None
    d = now - before
    if unit == "usd":
        return ("+" if d >= 0 else "") + usd(d)
    if unit in ("share", "percent"):
        return f"{d * 100:+.1f} pts"
    if unit == "ratio":
        return f"{d:+.2f}"
    return f"{int(d):+d}"


def headline(text: str) -> tuple[str, str | None]:
    """A verdict split for a metric tile: the words before the first " (" or ": " and the rest
    ("Not enough data yet (< 2,000 units per arm)" -> ("Not enough data yet", "< 2,000 units per arm"))."""
    for sep in (" (", ": "):
        head, found, rest = text.partition(sep)
        if found:
            return head, rest.rstrip(")") if sep == " (" else rest
    return text, None


def day(d) -> str:
    """A date as every page shows it (the tables' "D MMM YYYY"): "3 Oct 2026"; "–" for none."""
    return "–" if d is None else f"{d.day} {d:%b %Y}"


def moment(t) -> str:
    """A time as every page shows it, in UTC and saying so: "3 Oct 2026, 15:38 UTC" (``t`` is a UTC
    datetime, aware or naive); "–" for none."""
    return "–" if t is None else f"{day(t)}, {t:%H:%M} UTC"
