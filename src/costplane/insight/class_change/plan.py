"""`class_change`: one tenant moved to another service class, priced and rendered.

Reads the month's allocation (fee and cost), the tenant's databases (placement's
footprint, for the rendered price) and its p95 use (the entitlements computation), and
renders both classes with the blueprint. Refuses a class below the use unless forced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation import KindCosts, Window, margin, showback
from costplane.blueprint import render_problems
from costplane.catalog import Catalog, Tenant
from costplane.errors import InputError
from costplane.insight.class_change.fit import Shortfall, shortfalls
from costplane.insight.class_change.manifests import (
    ManifestDiff,
    manifest_diffs,
    rendering,
    with_class,
)
from costplane.insight.class_change.pricing import CostSplit, cost_after
from costplane.insight.entitlements import entitlements
from costplane.insight.placement.footprint import footprints
from costplane.insight.placement.rendered import RenderedCost, rendered_cost
from costplane.money import cents
from costplane.warehouse import Warehouse


@dataclass(frozen=True)
class ClassChange:
    tenant: str
    period: str
    currency: str
    from_class: str
    to_class: str
    allocated_days: int
    days_in_month: int
    contract_days: int
    monthly_fee_before: Decimal
    """The contract's monthly fee on the period's last contracted day."""
    monthly_fee_after: Decimal
    """The new class's list fee."""
    fee_before: Decimal
    fee_after: Decimal
    cost_before: CostSplit
    cost_after: CostSplit
    rendered_before: RenderedCost
    rendered_after: RenderedCost
    shortfalls: tuple[Shortfall, ...]
    """Entitlements of the new class below the tenant's use; non-empty only when forced."""
    forced: bool
    manifests: tuple[ManifestDiff, ...]

    @property
    def fee_change(self) -> Decimal:
        return self.fee_after - self.fee_before

    @property
    def cost_change(self) -> Decimal:
        return self.cost_after.total - self.cost_before.total

    @property
    def margin_before(self) -> Decimal:
        return self.fee_before - self.cost_before.total

    @property
    def margin_after(self) -> Decimal:
        return self.fee_after - self.cost_after.total

    @property
    def margin_change(self) -> Decimal:
        return self.margin_after - self.margin_before


def class_change(
    warehouse: Warehouse,
    catalog: Catalog,
    window: Window,
    tenant_id: str,
    to: str,
    force: bool = False,
) -> ClassChange:
    """`tenant_id` moved to class `to` in the month `window`; InputError for an unknown
    tenant or class, a class that cannot render, or one below the tenant's use (unless
    `force`)."""
    tenant = _tenant(catalog, tenant_id)
    if to not in catalog.service_classes:
        known = ", ".join(sorted(catalog.service_classes))
        raise InputError(f"--to {to!r}: not a service class (the catalog has: {known})")
    problems = render_problems(catalog, [tenant.service_class, to])
    if problems:
        where, why = problems[0]
        raise InputError(f"service class {where[1]!r} cannot be rendered: {why}")
    period = f"{window.start:%Y-%m}"
    used = entitlements(warehouse, catalog, period, window.start, window.end, tenant.id)
    short = shortfalls(catalog, to, used)
    if short and not force:
        raise InputError(
            f"class {to!r} is below {tenant.id}'s use: "
            + "; ".join(s.sentence() for s in short)
            + " (--force plans it anyway)"
        )
    margins = margin(warehouse, catalog, window)
    charged = next((t for t in margins.tenants if t.tenant == tenant.id), None)
    if charged is None:
        flagged = next((f.reason for f in margins.flagged if f.tenant == tenant.id), None)
        why = flagged or "no contract and no allocated cost"
        raise InputError(f"tenant {tenant.id!r} has no margin in {period}: {why}")
    statement = showback(warehouse, window)
    carried = sum((line.costs for line in statement.lines if line.tenant == tenant.id), KindCosts())
    before = CostSplit(cents(carried.direct), charged.cost - cents(carried.direct))
    days = margins.period.days_in_month
    share = Decimal(len(margins.period.allocated_days)) / Decimal(days)
    footprint = footprints(warehouse, catalog, window).get(tenant.id)
    priced_before = rendered_cost(catalog, tenant.service_class, tenant, footprint, share)
    priced_after = rendered_cost(catalog, to, tenant, footprint, share)
    after = cost_after(
        before, priced_after.total - priced_before.total, catalog.allocation.shared_rule
    )
    contracted = [d for d in margins.period.allocated_days if tenant.contract_on(d)]
    monthly_before = catalog.monthly_fee(tenant, contracted[-1]) if contracted else None
    monthly_after = catalog.service_classes[to].monthly_fee
    moved = with_class(catalog, tenant.id, to)
    return ClassChange(
        tenant=tenant.id,
        period=period,
        currency=catalog.currency,
        from_class=tenant.service_class,
        to_class=to,
        allocated_days=len(margins.period.allocated_days),
        days_in_month=days,
        contract_days=charged.contract_days,
        monthly_fee_before=cents(monthly_before),
        monthly_fee_after=cents(monthly_after),
        fee_before=charged.fee,
        fee_after=cents(monthly_after * charged.contract_days / days),
        cost_before=before,
        cost_after=after,
        rendered_before=priced_before,
        rendered_after=priced_after,
        shortfalls=short,
        forced=force and bool(short),
        manifests=manifest_diffs(rendering(catalog, tenant.id), rendering(moved, tenant.id)),
    )


def _tenant(catalog: Catalog, tenant_id: str) -> Tenant:
    tenant = catalog.tenant(tenant_id)
    if tenant is None:
        known = ", ".join(sorted(t.id for t in catalog.tenants)) or "none"
        raise InputError(f"unknown tenant {tenant_id!r} (catalog tenants: {known})")
    return tenant
