"""Events from what the stages keep: findings, stale sources, budget alerts and anomalies,
each with the key that makes it news once, a severity and the money at stake."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from costplane.catalog import Catalog, EventKind, Severity
from costplane.governance import StoredFinding
from costplane.insight.anomalies import Anomaly
from costplane.notifications.event import Event
from costplane.state import KeptAlert, SourceStatus


def budget_events(alerts: Iterable[KeptAlert], catalog: Catalog) -> Iterator[Event]:
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


def anomaly_events(anomalies: Iterable[Anomaly], catalog: Catalog) -> Iterator[Event]:
    """Ten spreads or more above the expected amount is high, less medium."""
    classes = {t.id: t.service_class for t in catalog.tenants}
    for anomaly in anomalies:
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


def finding_events(findings: Iterable[StoredFinding], catalog: Catalog) -> Iterator[Event]:
    """Open and acknowledged findings; each is one event for as long as it lives."""
    classes = {t.id: t.service_class for t in catalog.tenants}
    for finding in findings:
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
    statuses: Iterable[SourceStatus], now: dt.datetime, stale_after_hours: int
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
