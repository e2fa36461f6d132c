"""`anomalies`: the days of a month whose cost ran above its baseline, with the money.

The detection is the insight stage's (`costplane.insight.anomalies`, method in
docs/budgets.md); this operation opens the warehouse read-only, checks the month is
allocated, and says in `notes` what the reader should know about its days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from costplane.allocation import Window, allocated_period
from costplane.insight.anomalies import Anomalies, Sensitivity, find_anomalies
from costplane.service.project import Project
from costplane.service.reports import coverage
from costplane.service.serialise import to_document

FIELDS = (
    "tenant",
    "cost_domain",
    "day",
    "expected",
    "actual",
    "excess",
    "driver",
    "cluster",
    "driver_excess",
    "score",
    "business",
)
"""The document's fields per anomaly, in order: the contract's seven first."""


@dataclass(frozen=True)
class AnomaliesRequest:
    month: Window
    sensitivity: Sensitivity = field(default_factory=Sensitivity)

    @classmethod
    def of(
        cls, period: str, k: Decimal | None = None, min_excess: Decimal | None = None
    ) -> AnomaliesRequest:
        rule = Sensitivity()
        if k is not None:
            rule = Sensitivity(k, rule.floor, rule.min_excess, rule.min_share)
        if min_excess is not None:
            rule = Sensitivity(rule.k, rule.floor, min_excess, rule.min_share)
        return cls(Window.month(period), rule)


@dataclass(frozen=True)
class AnomaliesReport:
    body: Anomalies
    currency: str
    notes: tuple[str, ...] = ()


def anomalies_report(project: Project, request: AnomaliesRequest) -> AnomaliesReport:
    currency = project.catalog().currency
    with project.warehouse(create=False) as warehouse:
        period = allocated_period(warehouse, request.month)
        found = find_anomalies(warehouse, request.month, request.sensitivity)
        notes = list(coverage(warehouse, period, "anomalies are judged on those days"))
    unjudged = [d for d in period.allocated_days if d not in set(found.days)]
    if unjudged:
        notes.append(
            f"{len(unjudged)} allocated day(s) of {period.name} have too little history "
            f"before them to be judged ({unjudged[0]} to {unjudged[-1]}); allocate earlier "
            "days to judge them"
        )
    return AnomaliesReport(found, currency, tuple(notes))


def anomalies_document(report: AnomaliesReport) -> dict[str, Any]:
    """`{"period", "currency", "anomalies": [...]}`, money as decimal strings."""
    return {
        "period": report.body.period,
        "currency": report.currency,
        "anomalies": [
            {name: to_document(getattr(anomaly, name)) for name in FIELDS}
            for anomaly in report.body.anomalies
        ],
    }
