"""Placement: which tenants belong on the shared platform and which in a dedicated
environment, and how to move them there in waves (docs/placement.md)."""

from costplane.insight.placement.footprint import Footprint
from costplane.insight.placement.placement import (
    Placement,
    SkippedTenant,
    gather_evidence,
    place_tenants,
    placement_of,
)
from costplane.insight.placement.rendered import RenderedCost
from costplane.insight.placement.scoring import (
    CRITERIA,
    Criterion,
    Evidence,
    PlacementMoney,
    TenantPlacement,
)
from costplane.insight.placement.traffic import Traffic
from costplane.insight.placement.waves import (
    MigratingTenant,
    MigrationPlan,
    Rollback,
    Wave,
    plan_waves,
    waves_of,
)
from costplane.insight.placement.window_bounds import newest_allocated_month
from costplane.insight.placement.workload import Workload

__all__ = [
    "CRITERIA",
    "Criterion",
    "Evidence",
    "Footprint",
    "MigratingTenant",
    "MigrationPlan",
    "Placement",
    "PlacementMoney",
    "RenderedCost",
    "Rollback",
    "SkippedTenant",
    "TenantPlacement",
    "Traffic",
    "Wave",
    "Workload",
    "gather_evidence",
    "newest_allocated_month",
    "place_tenants",
    "placement_of",
    "plan_waves",
    "waves_of",
]
