"""Unit cost per tenant: its month's cost per confirmed order, done picking, posted invoice.

cost is everything the allocation places on the tenant (all environments and kinds,
as in the margin), to the cent; counts are the production `business_signals` of the
month's allocated days (other environments' orders are tests, not business). Each
unit cost is cost / count to four decimals (half up), and none when the count is
zero: a tenant with no orders has no cost per order, not an infinite one. For all
tenants together, each unit cost is the cost of the tenants that counted that signal
over their summed count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costplane.allocation.statement import ZERO, Period, Showback, showback
from costplane.allocation.window import Window
from costplane.catalog import Catalog, EnvironmentKind
from costplane.money import cents
from costplane.warehouse import Warehouse

UNIT = Decimal("0.0001")

SIGNALS = {"orders_confirmed": "orders", "pickings_done": "pickings", "invoices_posted": "invoices"}
"""business_signals.signal -> what it counts."""


def per_unit(cost: Decimal, count: int) -> Decimal | None:
    """cost / count to four decimals (half up); None when nothing was counted."""
    if count == 0:
        return None
    return (cost / count).quantize(UNIT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UnitCost:
    """One tenant's month, or every tenant's (`tenant` None)."""

    tenant: str | None
    service_class: str | None
    cost: Decimal
    orders: int
    pickings: int
    invoices: int
    per_order: Decimal | None
    per_picking: Decimal | None
    per_invoice: Decimal | None


def tenant_unit_cost(
    tenant: str, service_class: str | None, cost: Decimal, counts: dict[str, int]
) -> UnitCost:
    orders, pickings, invoices = (counts.get(n, 0) for n in ("orders", "pickings", "invoices"))
    return UnitCost(
        tenant=tenant,
        service_class=service_class,
        cost=cost,
        orders=orders,
        pickings=pickings,
        invoices=invoices,
        per_order=per_unit(cost, orders),
        per_picking=per_unit(cost, pickings),
        per_invoice=per_unit(cost, invoices),
    )


def all_tenants(tenants: tuple[UnitCost, ...]) -> UnitCost:
    """Summed cost and counts; each unit cost is the cost of the tenants that counted
    that signal over their summed count (a weighted average of their unit costs)."""

    def average(count: Callable[[UnitCost], int]) -> Decimal | None:
        counted = [t for t in tenants if count(t)]
        cost = sum((t.cost for t in counted), ZERO)
        return per_unit(cost, sum(count(t) for t in counted))

    return UnitCost(
        tenant=None,
        service_class=None,
        cost=sum((t.cost for t in tenants), ZERO),
        orders=sum(t.orders for t in tenants),
        pickings=sum(t.pickings for t in tenants),
        invoices=sum(t.invoices for t in tenants),
        per_order=average(lambda t: t.orders),
        per_picking=average(lambda t: t.pickings),
        per_invoice=average(lambda t: t.invoices),
    )


@dataclass(frozen=True)
class UnitCosts:
    period: Period
    tenants: tuple[UnitCost, ...]

    @property
    def total(self) -> UnitCost:
        return all_tenants(self.tenants)


def unit_cost(warehouse: Warehouse, catalog: Catalog, window: Window) -> UnitCosts:
    """Every tenant with cost or production business signals in the month `window`."""
    statement = showback(warehouse, window)
    return unit_costs(statement, production_counts(warehouse, statement.period), catalog)


def production_counts(warehouse: Warehouse, period: Period) -> dict[str, dict[str, int]]:
    """tenant -> {orders, pickings, invoices} over the period's allocated days."""
    signals = warehouse.table("business_signals")
    rows = signals.filter(
        signals.environment == EnvironmentKind.PRODUCTION.value,
        signals.day.isin(list(period.allocated_days)),
        signals.signal.isin(list(SIGNALS)),
        signals.tenant.notnull(),
    )
    totals = rows.group_by(["tenant", "signal"]).aggregate(count=rows["count"].sum())
    counts: dict[str, dict[str, int]] = {}
    for row in totals.to_pyarrow().to_pylist():
        counts.setdefault(row["tenant"], {})[SIGNALS[row["signal"]]] = int(row["count"])
    return counts


def unit_costs(
    statement: Showback, counts: dict[str, dict[str, int]], catalog: Catalog
) -> UnitCosts:
    costs = statement.tenant_costs()
    tenants = []
    for tenant_id in sorted({*costs, *counts}):
        tenant = catalog.tenant(tenant_id)
        cost = cents(costs.get(tenant_id, ZERO))
        service_class = tenant.service_class if tenant else None
        tenants.append(tenant_unit_cost(tenant_id, service_class, cost, counts.get(tenant_id, {})))
    return UnitCosts(statement.period, tuple(tenants))
