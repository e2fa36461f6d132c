"""Allocation: what each tenant, environment, service class and cost domain costs, each day.

The cost model is in docs/allocation.md. `allocate` computes and stores the
`allocations` table; `reconcile` shows that it adds up to the bill.
"""

from costplane.allocation.billed import DomainCost, billed_by_domain
from costplane.allocation.daily import (
    DailyCost,
    daily_billed,
    daily_cost,
    daily_cost_by_tenant,
    daily_cost_table,
    daily_costs,
    last_allocated_day,
)
from costplane.allocation.focus_export import (
    DEFAULT_PROVIDER,
    FOCUS_SCHEMA,
    FocusExport,
    FocusProvider,
    export_focus,
    focus_suffix,
)
from costplane.allocation.kind import AllocationKind
from costplane.allocation.margin import FlaggedTenant, Margins, TenantMargin, margin, percent
from costplane.allocation.reconcile import ReconciledDay, reconcile
from costplane.allocation.run import AllocationRun, allocate, compute
from costplane.allocation.stamp import AllocationStamp, allocation_stamp
from costplane.allocation.statement import (
    Chargeback,
    ChargebackLine,
    Dimension,
    KindCosts,
    Period,
    Showback,
    ShowbackLine,
    TenantCharge,
    allocated_period,
    chargeback,
    dimensions,
    loaded_since,
    showback,
)
from costplane.allocation.unit_cost import UnitCost, UnitCosts, unit_cost
from costplane.allocation.window import Window

__all__ = [
    "DEFAULT_PROVIDER",
    "FOCUS_SCHEMA",
    "AllocationKind",
    "AllocationRun",
    "AllocationStamp",
    "Chargeback",
    "ChargebackLine",
    "DailyCost",
    "Dimension",
    "DomainCost",
    "FlaggedTenant",
    "FocusExport",
    "FocusProvider",
    "KindCosts",
    "Margins",
    "Period",
    "ReconciledDay",
    "Showback",
    "ShowbackLine",
    "TenantCharge",
    "TenantMargin",
    "UnitCost",
    "UnitCosts",
    "Window",
    "allocate",
    "allocated_period",
    "allocation_stamp",
    "billed_by_domain",
    "chargeback",
    "compute",
    "daily_billed",
    "daily_cost",
    "daily_cost_by_tenant",
    "daily_cost_table",
    "daily_costs",
    "dimensions",
    "export_focus",
    "focus_suffix",
    "last_allocated_day",
    "loaded_since",
    "margin",
    "percent",
    "reconcile",
    "showback",
    "unit_cost",
]
