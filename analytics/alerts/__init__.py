"""Alerts: the store (raise once, keep current, resolve once), acknowledgement and snooze, and their
delivery to webhook, Slack, e-mail, PagerDuty and Opsgenie channels (docs/alerts.md).

* ``store`` - the ``alerts`` table (``Breach``, ``sync``, ``open_alerts``);
* ``actions`` - acknowledge and snooze (``alert_actions``), audited;
* ``config``, ``routing`` - ``<lakehouse>/_config/alerting.yaml``;
* ``events``, ``outbox``, ``channels`` - what to send, sending it, the delivery log
  (``alert_deliveries``).
"""

from __future__ import annotations

from analytics.alerts.store import Breach, open_alerts, raise_alerts, resolve_missing, sync


def deliver(root, **kwargs):
    """``outbox.deliver``: send pending notifications; never raises (imported on use: the channels
    pull in apprise, which the store's callers do not need)."""
    from analytics.alerts import outbox

    return outbox.deliver(root, **kwargs)


__all__ = ["Breach", "deliver", "open_alerts", "raise_alerts", "resolve_missing", "sync"]
