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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from costplane.allocation import Window, last_allocated_day
from costplane.catalog import Catalog, EventKind, NotificationRoute, Severity
from costplane.errors import InputError
from costplane.insight.anomalies import Sensitivity, find_anomalies
from costplane.notifications import Delivery, Event, Message, deliver, messages
from costplane.service.findings import ACTIVE, FindingsQuery, kept_findings
from costplane.service.project import Project
from costplane.state import (
    KeptAlert,
    SourceStatus,
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
    yield from finding_events(project, catalog)
    yield from stale_source_events(
        source_status(project.state()), now, catalog.notifications.stale_after_hours
    )
    yield from budget_events(catalog, budget_alerts(project.state()))
    yield from anomaly_events(project, catalog)


def budget_events(catalog: Catalog, alerts: Sequence[KeptAlert]) -> Iterator[Event]:
    """The alerts `budgets status` raised and that still stand: the actual reaching 100 % or
    more of a budget is high, any other crossing (a lower threshold, the forecast) medium."""
    scopes = {budget.id: budget.scope for budget in catalog.budgets}
    classes = {t.id: t.service_class for t in catalog.tenants}
    for alert in alerts:
        if alert.cleared_at is not None:
            continue
        scope = scopes.get(alert.budget)
        tenant = scope.tenant if scope else None
        service_class = (scope.service_class if scope else None) or classes.get(tenant or "")
        spent = alert.basis == "actual" and alert.threshold_percent >= 100
        yield Event(
            kind=EventKind.BUDGET,
            key=f"budget:{alert.budget}:{alert.period}:{alert.threshold_percent}:{alert.basis}",
            severity=Severity.HIGH if spent else Severity.MEDIUM,
            title=f"budget {alert.budget}: {alert.basis} at {alert.threshold_percent} % "
            f"in {alert.period}",
            text=f"the {alert.basis} is {alert.value:,.2f} {alert.currency} against a "
            f"threshold of {alert.threshold_amount:,.2f} {alert.currency}",
            occurred_at=alert.raised_at,
            tenant=tenant,
            service_class=service_class,
            amount=alert.value,
            currency=alert.currency,
        )


def anomaly_events(project: Project, catalog: Catalog) -> Iterator[Event]:
    """Anomalies of the month holding the newest allocated day: ten spreads or more above
    the expected amount is high, less medium. A warehouse with nothing allocated has none."""
    with project.warehouse(create=False) as warehouse:
        last = last_allocated_day(warehouse)
        if last is None:
            return
        found = find_anomalies(warehouse, Window.month(f"{last:%Y-%m}"), Sensitivity())
    classes = {t.id: t.service_class for t in catalog.tenants}
    for anomaly in found.anomalies:
        who = anomaly.tenant or f"cluster {anomaly.cluster}"
        yield Event(
            kind=EventKind.ANOMALY,
            key=f"anomaly:{anomaly.tenant or anomaly.cluster}:{anomaly.cost_domain}:{anomaly.day}",
            severity=Severity.HIGH if anomaly.score >= 10 else Severity.MEDIUM,
            title=f"{who}: {anomaly.cost_domain} cost on {anomaly.day} above its baseline",
            text=f"expected {anomaly.expected:,.2f}, actual {anomaly.actual:,.2f} "
            f"{catalog.currency}; driver: {anomaly.driver}",
            occurred_at=dt.datetime.combine(anomaly.day, dt.time()),
            tenant=anomaly.tenant,
            service_class=classes.get(anomaly.tenant or ""),
            amount=anomaly.excess,
            currency=catalog.currency,
        )


def finding_events(project: Project, catalog: Catalog) -> Iterator[Event]:
    """Open and acknowledged findings; each is one event for as long as it lives."""
    classes = {t.id: t.service_class for t in catalog.tenants}
    for finding in kept_findings(project, FindingsQuery(statuses=ACTIVE)):
        where = "/".join(p for p in (finding.namespace, finding.name) if p)
        yield Event(
            kind=EventKind.FINDING,
            key=f"finding:{finding.fingerprint}",
            severity=Severity(finding.severity),
            title=f"{finding.policy}: {finding.kind} {where}",
            text=f"{finding.message} Fix: {finding.fix}",
            occurred_at=finding.first_seen,
            tenant=finding.tenant,
            service_class=classes.get(finding.tenant or ""),
            amount=finding.monthly_waste,
            currency=finding.currency,
        )


def stale_source_events(
    statuses: Sequence[SourceStatus], now: dt.datetime, stale_after_hours: int
) -> Iterator[Event]:
    """One event per stale spell: its key names the last good collection, so a source that
    recovers and goes stale again is news again."""
    limit = dt.timedelta(hours=stale_after_hours)
    for status in statuses:
        age = status.staleness(now)
        if age is not None and age <= limit:
            continue
        since = status.last_success.isoformat() if status.last_success else "never"
        said = "never collected" if age is None else f"last good collection {_hours(age)} ago"
        yield Event(
            kind=EventKind.SOURCE_STALE,
            key=f"source-stale:{status.source}:{status.target}:{since}",
            severity=Severity.HIGH,
            title=f"source {status.source} {status.target} is stale",
            text=f"{said}; last error: {status.last_error or 'none'}",
            occurred_at=now,
        )


def _hours(age: dt.timedelta) -> str:
    return f"{age.total_seconds() / 3600:.0f} h"


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
