"""Margin per tenant: what its contract pays for the month, minus what it cost.

- fee: `Catalog.monthly_fee` prorated by day: Σ over the month's allocated days a
  contract covers of (that day's monthly fee / days in the month), to the cent. A
  contract starting or ending inside the month, or a fee changing, counts only its
  days; a month not yet fully allocated counts only its allocated days, so the fee
  matches the cost it is set against.
- cost: everything the allocation places on the tenant (direct, shared, spread idle,
  overhead: the showback's tenant total), to the cent, whatever the chargeback rules
  charge: margin is what the tenant earns the platform, not what it is invoiced.
- margin = fee − cost; margin % = margin / fee × 100 to 0.1, none when the fee is zero.

Tenants whose contracts are in another currency, that have no contract on the
allocated days, or that the catalog does not know are flagged apart, never mixed into the
totals. docs/reports.md has a worked example.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costplane.allocation.statement import ZERO, Period, Showback, showback
from costplane.allocation.window import Window
from costplane.catalog import Catalog, Tenant
from costplane.money import cents
from costplane.warehouse import Warehouse

TENTH = Decimal("0.1")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole × 100 to 0.1 (half up); None when whole is zero."""
    if whole == 0:
        return None
    return (part / whole * 100).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TenantMargin:
    tenant: str
    service_class: str | None
    contract_days: int
    """Allocated days of the month a contract covers."""
    fee: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return percent(self.margin, self.fee)


@dataclass(frozen=True)
class FlaggedTenant:
    """A tenant whose margin cannot be stated in the catalog currency, and why."""

    tenant: str
    service_class: str | None
    cost: Decimal
    reason: str


@dataclass(frozen=True)
class Margins:
    period: Period
    currency: str
    tenants: tuple[TenantMargin, ...]
    """Worst margin first."""
    flagged: tuple[FlaggedTenant, ...]
    untenanted_cost: Decimal
    """Cost of the month no tenant carries (unallocated, unshared idle), to the cent."""

    @property
    def fee(self) -> Decimal:
        return sum((t.fee for t in self.tenants), ZERO)

    @property
    def cost(self) -> Decimal:
        return sum((t.cost for t in self.tenants), ZERO)

    @property
    def margin(self) -> Decimal:
        return self.fee - self.cost

    @property
    def margin_percent(self) -> Decimal | None:
        return percent(self.margin, self.fee)


def margin(warehouse: Warehouse, catalog: Catalog, window: Window) -> Margins:
    """The margin of every tenant with cost or a contract in the month `window`."""
    return margins(showback(warehouse, window), catalog)


def margins(statement: Showback, catalog: Catalog) -> Margins:
    costs = statement.tenant_costs()
    period = statement.period
    contracted = [
        t.id for t in catalog.tenants if any(t.contract_on(d) for d in period.allocated_days)
    ]
    found: list[TenantMargin] = []
    flagged: list[FlaggedTenant] = []
    for tenant_id in sorted({*costs, *contracted}):
        cost = cents(costs.get(tenant_id, ZERO))
        tenant = catalog.tenant(tenant_id)
        if tenant is None:
            flagged.append(FlaggedTenant(tenant_id, None, cost, "not in the catalog"))
            continue
        fee = prorated_fee(catalog, tenant, period)
        if isinstance(fee, str):
            flagged.append(FlaggedTenant(tenant_id, tenant.service_class, cost, fee))
            continue
        days, amount = fee
        found.append(TenantMargin(tenant_id, tenant.service_class, days, amount, cost))
    found.sort(key=lambda t: (t.margin, t.tenant))
    return Margins(
        period=period,
        currency=catalog.currency,
        tenants=tuple(found),
        flagged=tuple(flagged),
        untenanted_cost=cents(statement.untenanted),
    )


def prorated_fee(catalog: Catalog, tenant: Tenant, period: Period) -> tuple[int, Decimal] | str:
    """(contract days, the fee for them to the cent), or why there is none."""
    covered = [(day, c) for day in period.allocated_days if (c := tenant.contract_on(day))]
    if not covered:
        return "no contract on the allocated days"
    other = sorted({c.currency for _, c in covered if c.currency not in (None, catalog.currency)})
    if other:
        return f"contract in {', '.join(str(c) for c in other)}, not {catalog.currency}"
    daily = [catalog.monthly_fee(tenant, day) for day, _ in covered]
    total = sum((fee for fee in daily if fee is not None), ZERO)
    return len(covered), cents(total / period.days_in_month)
