"""Allocated cost per day, grouped: the series budgets, anomaly detection and forecasts read.

The `allocations` table is the one place cost per tenant and day is known; insight reads
it through this function rather than its columns, so a change of the table's layout is
one change here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa

from costplane.allocation.cost_domain import cost_domain
from costplane.warehouse import ALLOCATIONS, Warehouse

GROUPS = ("tenant", "environment", "service_class", "cost_domain", "cluster", "namespace", "kind")
"""The `allocations` columns a daily series may be grouped by."""


def daily_cost(
    warehouse: Warehouse,
    first: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
    tenant: str | None = None,
) -> list[dict[str, Any]]:
    """Σ `cost` per day (and `by` columns) over the allocated days in [first, end), exact
    (Decimal), ordered by day then `by`; rows with no cost column value are skipped. With
    `tenant`, that tenant's rows only (filtered in the engine: one tenant's page among
    thousands reads its own rows)."""
    return daily_cost_table(warehouse, first, end, by, tenant).to_pylist()  # type: ignore[no-any-return]


def daily_cost_table(
    warehouse: Warehouse,
    first: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
    tenant: str | None = None,
) -> pa.Table:
    """`daily_cost` as an Arrow table (`cost` a decimal column): for readers that go on
    computing over its rows, which as Python objects would cost more than the query."""
    rows = _costed(warehouse, first, end, by)
    if tenant is not None:
        rows = rows.filter(rows.tenant == tenant)
    return _summed(rows, ["day", *by])


def daily_cost_by_tenant(
    warehouse: Warehouse, first: dt.date, end: dt.date, by: Sequence[str] = ()
) -> pa.Table:
    """`daily_cost` of every tenant by `by`, as one Arrow table ordered by tenant, then day
    and `by`: each tenant's rows are contiguous, so a reader of many tenants slices them.
    Rows without a tenant (shared, idle, unallocated) are left out."""
    rows = _costed(warehouse, first, end, by)
    return _summed(rows.filter(rows.tenant.notnull()), ["tenant", "day", *by])


def _costed(warehouse: Warehouse, first: dt.date, end: dt.date, by: Sequence[str]) -> ir.Table:
    """The `allocations` rows of [first, end) that carry a cost, to be grouped by `by`."""
    unknown = [column for column in by if column not in GROUPS]
    if unknown:
        raise ValueError(f"cannot group allocations by {unknown}")
    table: ir.Table = warehouse.table(ALLOCATIONS.name)
    return table.filter(table.day >= first, table.day < end, table.cost.notnull())


def _summed(rows: ir.Table, keys: list[str]) -> pa.Table:
    return rows.group_by(keys).aggregate(cost=rows.cost.sum()).order_by(keys).to_pyarrow()


def last_allocated_day(warehouse: Warehouse) -> dt.date | None:
    """The newest day the `allocations` table holds, None when it is empty."""
    table: ir.Table = warehouse.table(ALLOCATIONS.name)
    found = table.aggregate(last=table.day.max()).to_pyarrow().to_pylist()
    return found[0]["last"] if found else None


def daily_billed(
    warehouse: Warehouse, first: dt.date, end: dt.date, domain: str
) -> list[dict[str, Any]]:
    """Σ `billed_cost` per charge day and bill line (`resource_id`, its `sku_id` and
    `resource_name`) of one cost domain, for charges starting in [first, end): what an
    anomaly's driver is looked for in when no namespace carries the cost."""
    lines: ir.Table = warehouse.table("billing_lines")
    start = dt.datetime.combine(first, dt.time())
    stop = dt.datetime.combine(end, dt.time())
    lines = lines.filter(lines.charge_period_start >= start, lines.charge_period_start < stop)
    lines = lines.filter(cost_domain(lines.service_category, lines.service_subcategory) == domain)
    lines = lines.mutate(day=lines.charge_period_start.date())
    keys = ["day", "resource_id", "sku_id", "resource_name"]
    summed = lines.group_by(keys).aggregate(cost=lines.billed_cost.sum()).order_by(keys)
    return summed.to_pyarrow().to_pylist()  # type: ignore[no-any-return]


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
    """Cost per day, tenant, service class and cost domain from `since` to `until` (both
    included, both optional). Every line counts, whatever its kind, so the days add up to
    what `reconcile` shows as placed (shared, idle and unallocated lines carry no tenant)."""
    first = since or dt.date.min
    end = until + dt.timedelta(days=1) if until is not None else dt.date.max
    rows = daily_cost(warehouse, first, end, ("tenant", "service_class", "cost_domain"))
    return [
        DailyCost(r["day"], r["tenant"], r["service_class"], r["cost_domain"], Decimal(r["cost"]))
        for r in rows
    ]
