"""Notifications: events (findings, budget thresholds, anomalies, stale sources) routed by the
catalog to Slack, Microsoft Teams, a webhook or e-mail.

The `*_events` functions turn what the stages keep into events; `messages` decides what
each route is told now, given what it was already told (the state store keeps that);
`deliver` sends one message and reports how it went, never raising.
See docs/notifications.md.
"""

from costplane.notifications.chat import payload
from costplane.notifications.delivery import Delivery, deliver
from costplane.notifications.event import Event
from costplane.notifications.events import (
    anomaly_events,
    budget_events,
    finding_events,
    stale_source_events,
)
from costplane.notifications.routing import Message, messages

__all__ = [
    "Delivery",
    "Event",
    "Message",
    "anomaly_events",
    "budget_events",
    "deliver",
    "finding_events",
    "messages",
    "payload",
    "stale_source_events",
]
