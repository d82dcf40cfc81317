"""Which channels an alert goes to: the union of the channels of every route whose ``match`` the alert
meets (each key: the alert's value is one of the listed values; an empty match takes every alert)."""

from __future__ import annotations

from analytics.alerts.config import AlertingConfig


def matches(match: dict[str, tuple[str, ...]], alert: dict) -> bool:
    return all(str(alert.get(key)) in values for key, values in match.items())


def channels_for(cfg: AlertingConfig, alert: dict) -> list[str]:
    """Channel names for ``alert`` (a row with business_unit, model_id, kind, severity), in the order
    the routes name them, each once."""
    out: list[str] = []
    for route in cfg.routes:
        if matches(route.match, alert):
            out += [c for c in route.channels if c not in out]
    return out
