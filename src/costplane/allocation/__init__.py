"""Allocation: what each tenant, environment, service class and cost domain costs, each day.

The cost model is in docs/allocation.md. `allocate` computes and stores the
`allocations` table; `reconcile` shows that it adds up to the bill.
"""

from costplane.allocation.billed import (
    DomainCost,
    TenantCost,
    billed_by_domain,
    billed_by_tenant_tag,
)
from costplane.allocation.cost_domain import cost_domain
from costplane.allocation.reconcile import ReconciledDay, reconcile
from costplane.allocation.run import AllocationRun, allocate, compute, pending_window
from costplane.allocation.window import Window

__all__ = [
    "AllocationRun",
    "DomainCost",
    "ReconciledDay",
    "TenantCost",
    "Window",
    "allocate",
    "billed_by_domain",
    "billed_by_tenant_tag",
    "compute",
    "cost_domain",
    "pending_window",
    "reconcile",
]
