"""One delivery module per channel kind. Each offers ``payload(...)`` (pure: what would be sent) and
``send(note, options, *, timeout, idempotency_key) -> Result`` (one attempt; never raises).

webhook, slack, pagerduty and opsgenie are hand-written JSON posts (apprise 2.3 sends to fixed vendor
hosts, has no PagerDuty acknowledge and no Opsgenie priority update, and builds its own Slack blocks);
e-mail goes through apprise's SMTP plugin (STARTTLS, implicit TLS or plain, with login).
"""

from __future__ import annotations

from analytics.alerts.channels import email, opsgenie, pagerduty, slack, webhook
from analytics.alerts.channels.base import Notification, Result

SENDERS = {"webhook": webhook.send, "slack": slack.send, "email": email.send, "pagerduty": pagerduty.send,
           "opsgenie": opsgenie.send}
# channels that receive acknowledgements (an incident tool or a program can act on them; a person
# reading Slack or e-mail is not sent a second message because someone else clicked "acknowledge")
LIFECYCLE_KINDS = ("webhook", "pagerduty", "opsgenie")

__all__ = ["LIFECYCLE_KINDS", "SENDERS", "Notification", "Result"]
