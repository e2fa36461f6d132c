"""`budgets status`: the catalog's budgets for a month, and the alerts they raise.

The evaluation is the insight stage's (`costplane.insight.budgets`); this operation picks
the month, keeps the crossings in the state store so each alert is raised once per
threshold and month (docs/budgets.md), and hands the surfaces one typed result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from costplane.allocation import Window, allocated_period, last_allocated_day
from costplane.errors import InputError
from costplane.insight.budgets import BudgetsStatus, budgets_status
from costplane.service.project import Project
from costplane.service.serialise import to_document
from costplane.state import Crossing, KeptAlert, record_budget_alerts


@dataclass(frozen=True)
class BudgetsRequest:
    month: Window | None = None
    """None: the newest month with an allocated day."""
    record: bool = True
    """Keep the crossings as alerts (a new one is raised once); False only reads."""

    @classmethod
    def of(cls, period: str | None, record: bool = True) -> BudgetsRequest:
        return cls(None if period is None else Window.month(period), record)


@dataclass(frozen=True)
class BudgetsReport:
    status: BudgetsStatus
    currency: str
    alerts: tuple[KeptAlert, ...]
    """The month's alerts that stand, those raised by this run marked `new`."""


def budgets_report(project: Project, request: BudgetsRequest) -> BudgetsReport:
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        month = request.month
        if month is None:
            last = last_allocated_day(warehouse)
            if last is None:
                raise InputError(
                    "nothing is allocated yet: run `costplane allocate` (after ingesting data)"
                )
            month = Window.month(f"{last:%Y-%m}")
        allocated_period(warehouse, month)  # a month with no allocated day: say what to run
        status = budgets_status(warehouse, catalog, month)
    crossings = [
        Crossing(
            budget.budget,
            threshold.percent,
            basis,
            threshold.amount,
            budget.actual if basis == "actual" else budget.forecast,
            catalog.currency,
        )
        for budget in status.budgets
        for threshold, basis in budget.crossed()
    ]
    alerts: list[KeptAlert] = []
    if request.record:
        at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        alerts = record_budget_alerts(project.state(), status.period, crossings, at)
    return BudgetsReport(status, catalog.currency, tuple(alerts))


def budgets_document(report: BudgetsReport) -> dict[str, Any]:
    """The JSON of `budgets status`: each budget with its thresholds and standing alerts."""
    status = report.status
    budgets = []
    for budget in status.budgets:
        document = to_document(budget)
        document["scope"] = {k: v for k, v in document["scope"].items() if v not in (None, {})}
        document["alerts"] = [
            {
                "threshold_percent": to_document(alert.threshold_percent),
                "basis": alert.basis,
                "threshold_amount": to_document(alert.threshold_amount),
                "value": to_document(alert.value),
                "raised_at": to_document(alert.raised_at),
                "new": alert.new,
            }
            for alert in report.alerts
            if alert.budget == budget.budget
        ]
        budgets.append(document)
    return {
        "period": status.period,
        "currency": report.currency,
        "as_of": to_document(status.as_of),
        "allocated_days": status.allocated_days,
        "days_in_month": status.days_in_month,
        "budgets": budgets,
    }
