"""Which route hears which event, and how events become messages.

A route with `digest: none` gets one message per new event; a `daily` route gets one
message a day holding every event it has not been told about yet. An event a route was
told about (its key delivered) is never sent to it again; one whose delivery failed is
sent again on the next run.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from costplane.catalog import NotificationRoute
from costplane.notifications.event import Event


@dataclass(frozen=True)
class Message:
    route: NotificationRoute
    events: tuple[Event, ...]


def hears(route: NotificationRoute, event: Event) -> bool:
    """The route's kinds, severity floor, tenants and classes, all at once."""
    if event.kind not in route.events or event.severity.rank < route.min_severity.rank:
        return False
    if route.tenants and event.tenant not in route.tenants:
        return False
    return not route.service_classes or event.service_class in route.service_classes


def messages(
    routes: Sequence[NotificationRoute],
    events: Iterable[Event],
    delivered: set[tuple[str, str]],
    digest_sent_today: set[str],
) -> list[Message]:
    """What to send now: `delivered` holds (route id, event key) pairs already told;
    `digest_sent_today` the daily routes that had today's message."""
    pending = sorted(events, key=lambda e: (e.occurred_at, e.key))
    planned: list[Message] = []
    for route in routes:
        new = tuple(e for e in pending if hears(route, e) and (route.id, e.key) not in delivered)
        if not new:
            continue
        if route.digest == "daily":
            if route.id not in digest_sent_today:
                planned.append(Message(route, new))
        else:
            planned.extend(Message(route, (event,)) for event in new)
    return planned
