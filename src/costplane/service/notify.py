"""`costplane notify run` and `notify test`: events gathered from the stages, routed by the
catalog, delivered, and recorded so that no route hears the same event twice.

The events come from what the other operations keep: findings in the state store (open,
at or above each route's severity), sources whose last good collection is older than the
catalog's `stale_after_hours` or that never succeeded, budget thresholds (the alerts
`budgets status` raised and that still stand), and anomalies of the month holding the
newest allocated day. A failed delivery is recorded and retried on the next run; it never
stops the run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from costplane.allocation import Window, last_allocated_day
from costplane.catalog import Catalog, NotificationRoute, Severity
from costplane.errors import InputError
from costplane.insight.anomalies import Sensitivity, find_anomalies
from costplane.notifications import (
    Delivery,
    Event,
    Message,
    anomaly_events,
    budget_events,
    deliver,
    finding_events,
    messages,
    stale_source_events,
)
from costplane.service.findings import ACTIVE, FindingsQuery, kept_findings
from costplane.service.project import Project
from costplane.state import (
    budget_alerts,
    delivered_keys,
    notification_records,
    record_delivery,
    routes_sent_on,
    source_status,
)


@dataclass(frozen=True)
class NotifyRequest:
    dry_run: bool = False
    """Show what would be sent; send and record nothing."""
    now: dt.datetime | None = None
    """UTC, naive; default: the clock."""
    environment: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    """Where `url_env`, `username_env` and `password_env` are looked up."""


@dataclass(frozen=True)
class Notified:
    events: int
    """Events found this run, before routing."""
    deliveries: tuple[Delivery, ...]
    planned: tuple[Message, ...]
    """With `dry_run`, what would have been sent (`deliveries` is then empty)."""

    @property
    def failed(self) -> tuple[Delivery, ...]:
        return tuple(d for d in self.deliveries if not d.delivered)


def run_notifications(project: Project, request: NotifyRequest) -> Notified:
    catalog = project.catalog()
    now = request.now or _now()
    routes = catalog.notifications.routes
    state = project.state()
    events = list(gather_events(project, catalog, now))
    planned = messages(routes, events, delivered_keys(state), routes_sent_on(state, now.date()))
    if request.dry_run:
        return Notified(len(events), (), tuple(planned))
    done = []
    for message in planned:
        delivery = deliver(message, request.environment)
        record_delivery(
            state,
            message.route.id,
            [(e.key, e.kind.value, e.tenant) for e in message.events],
            error=delivery.error,
            at=now,
        )
        done.append(delivery)
    return Notified(len(events), tuple(done), tuple(planned))


def try_route(project: Project, route_id: str, request: NotifyRequest) -> Delivery:
    """Send a sample event to one route, recording nothing: is the route wired right?"""
    route = _route(project.catalog(), route_id)
    now = request.now or _now()
    sample = Event(
        kind=route.events[0],
        key=f"test:{now.isoformat()}",
        severity=Severity.HIGH,
        title=f"test message for route {route.id}",
        text="Sent by `costplane notify test`: this route reaches you.",
        occurred_at=now,
        tenant=route.tenants[0] if route.tenants else None,
        service_class=route.service_classes[0] if route.service_classes else None,
    )
    return deliver(Message(route, (sample,)), request.environment)


def gather_events(project: Project, catalog: Catalog, now: dt.datetime) -> Iterator[Event]:
    """What the other operations keep, as events; the stage words and keys them."""
    state = project.state()
    yield from finding_events(kept_findings(project, FindingsQuery(statuses=ACTIVE)), catalog)
    yield from stale_source_events(
        source_status(state), now, catalog.notifications.stale_after_hours
    )
    yield from budget_events(budget_alerts(state), catalog)
    with project.warehouse(create=False) as warehouse:
        last = last_allocated_day(warehouse)
        if last is None:  # nothing allocated: no anomalies to tell
            return
        found = find_anomalies(warehouse, Window.month(f"{last:%Y-%m}"), Sensitivity())
    yield from anomaly_events(found.anomalies, catalog)


def _route(catalog: Catalog, route_id: str) -> NotificationRoute:
    for route in catalog.notifications.routes:
        if route.id == route_id:
            return route
    known = ", ".join(r.id for r in catalog.notifications.routes) or "none"
    raise InputError(f"unknown notification route {route_id!r} (declared: {known})")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


HISTORY_FIELDS = (
    "route",
    "event_key",
    "kind",
    "tenant",
    "status",
    "attempts",
    "last_error",
    "first_tried_at",
    "last_tried_at",
    "sent_at",
)


def notification_history(project: Project) -> list[dict[str, Any]]:
    """What each route was told, or tried to be, latest first."""
    records = notification_records(project.state(create=False))
    return [{name: getattr(r, name) for name in HISTORY_FIELDS} for r in records]
