"""`place_tenants`: every tenant of a month, shared or dedicated, with its reasons and money.

The month is read whole from the warehouse (usage, service usage, database snapshots,
business signals) and the allocation (each tenant's fee and cost, as the margin report
has them); tenants the margin report flags (no contract on the allocated days, another
currency, not in the catalog) are listed as skipped, with the margin report's reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from costplane.allocation import Margins, Window, margin
from costplane.catalog import Catalog
from costplane.insight.placement.footprint import footprints
from costplane.insight.placement.scoring import (
    CRITERIA,
    Evidence,
    TenantPlacement,
    compared_classes,
    place_tenant,
)
from costplane.insight.placement.traffic import traffic
from costplane.insight.placement.workload import NO_WORKLOAD, workloads
from costplane.warehouse import Warehouse


@dataclass(frozen=True)
class SkippedTenant:
    tenant: str
    reason: str


@dataclass(frozen=True)
class Placement:
    period: str
    allocated_days: int
    days_in_month: int
    currency: str
    weights: dict[str, float]
    """Each criterion's weight over the sum of the weights."""
    dedicated_at: float
    shared_class: str
    dedicated_class: str
    tenants: tuple[TenantPlacement, ...]
    """Highest score first."""
    skipped: tuple[SkippedTenant, ...]

    def tenant(self, tenant_id: str) -> TenantPlacement | None:
        return next((t for t in self.tenants if t.tenant == tenant_id), None)


def gather_evidence(warehouse: Warehouse, catalog: Catalog, window: Window) -> dict[str, Evidence]:
    """What the warehouse says of each catalog tenant in the window."""
    used = workloads(warehouse, catalog, window)
    held = footprints(warehouse, catalog, window)
    moved = traffic(warehouse, catalog, window)
    return {
        t.id: Evidence(used.get(t.id, NO_WORKLOAD), held.get(t.id), moved.get(t.id))
        for t in catalog.tenants
    }


def place_tenants(warehouse: Warehouse, catalog: Catalog, window: Window) -> Placement:
    """Every tenant with a contract or cost in the month `window`, placed."""
    margins = margin(warehouse, catalog, window)
    evidence = gather_evidence(warehouse, catalog, window)
    return placement_of(catalog, margins, evidence)


def placement_of(catalog: Catalog, margins: Margins, evidence: dict[str, Evidence]) -> Placement:
    """The placement from a month's margins and evidence (no warehouse: testable by hand)."""
    shared_class, dedicated_class = compared_classes(catalog)
    placed = []
    for charged in margins.tenants:
        tenant = catalog.tenant(charged.tenant)
        if tenant is None:  # margins only lists catalog tenants; flagged ones are apart
            continue
        found = evidence.get(tenant.id, Evidence(NO_WORKLOAD, None, None))
        placed.append(place_tenant(catalog, tenant, charged, found, margins))
    placed.sort(key=lambda p: (-p.score, p.tenant))
    weights = catalog.placement.weights.model_dump()
    total = sum(weights.values())
    period = margins.period
    return Placement(
        period=period.name,
        allocated_days=len(period.allocated_days),
        days_in_month=period.days_in_month,
        currency=catalog.currency,
        weights={name: round(float(weights[name] / total), 3) for name in CRITERIA},
        dedicated_at=float(catalog.placement.dedicated_at),
        shared_class=shared_class,
        dedicated_class=dedicated_class,
        tenants=tuple(placed),
        skipped=tuple(SkippedTenant(f.tenant, f.reason) for f in margins.flagged),
    )
