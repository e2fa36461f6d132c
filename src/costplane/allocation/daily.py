"""The allocated cost of each day, per tenant, service class and cost domain: the series
forecasts and budgets read, summed from the `allocations` table by the warehouse.

Every line counts, whatever its kind, so the days add up to what `reconcile` shows as
placed (tenant lines and the shared, idle, overhead and unallocated ones, which carry no
tenant).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from costplane.warehouse import ALLOCATIONS, Warehouse


@dataclass(frozen=True)
class DailyCost:
    day: dt.date
    tenant: str | None
    service_class: str | None
    cost_domain: str | None
    cost: Decimal


def daily_costs(
    warehouse: Warehouse, since: dt.date | None = None, until: dt.date | None = None
) -> list[DailyCost]:
    """Cost per day, tenant, service class and cost domain, for the allocated days from
    `since` to `until` (both included, both optional), sorted by day."""
    table = warehouse.table(ALLOCATIONS.name)
    if since is not None:
        table = table.filter(table.day >= since)
    if until is not None:
        table = table.filter(table.day <= until)
    grouped = table.group_by(["day", "tenant", "service_class", "cost_domain"]).aggregate(
        cost=table.cost.sum()
    )
    rows = grouped.to_pyarrow().to_pylist()
    out = [
        DailyCost(r["day"], r["tenant"], r["service_class"], r["cost_domain"], Decimal(r["cost"]))
        for r in rows
    ]
    return sorted(
        out, key=lambda c: (c.day, c.tenant or "", c.service_class or "", c.cost_domain or "")
    )


__all__ = ["DailyCost", "daily_costs"]
