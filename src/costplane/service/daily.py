"""Allocated cost day by day, and the newest allocated month: what a dashboard draws.

The reports cover a month as a whole; a chart of a month needs its days. Both operations
read the `allocations` table through the allocation stage, read-only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation import Window, daily_cost, last_allocated_day
from costplane.service.project import Project


@dataclass(frozen=True)
class TenantDaysRequest:
    """One tenant's days of one month (`YYYY-MM`)."""

    month: Window
    tenant: str

    @classmethod
    def of(cls, period: str, tenant: str) -> TenantDaysRequest:
        return cls(Window.month(period), tenant)


@dataclass(frozen=True)
class TenantDayCost:
    """What one tenant cost on one day in one environment and cost domain."""

    day: dt.date
    environment: str | None
    cost_domain: str | None
    cost: Decimal


def latest_month(project: Project) -> str | None:
    """The month (`YYYY-MM`) of the newest allocated day; None before any allocation."""
    with project.warehouse(create=False) as warehouse:
        last = last_allocated_day(warehouse)
    return None if last is None else f"{last:%Y-%m}"


def tenant_days(project: Project, request: TenantDaysRequest) -> list[TenantDayCost]:
    """The tenant's cost per day, environment and cost domain, every kind it carries (direct,
    shared, idle, overhead), ordered by day: its showback lines, day by day."""
    month = request.month
    with project.warehouse(create=False) as warehouse:
        rows = daily_cost(
            warehouse,
            month.start,
            month.end,
            ("environment", "cost_domain"),
            tenant=request.tenant,
        )
    return [
        TenantDayCost(r["day"], r["environment"], r["cost_domain"], Decimal(r["cost"]))
        for r in rows
    ]
