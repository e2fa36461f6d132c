"""Allocation: what each tenant, environment, service class and cost domain costs."""

from costplane.allocation.billed import (
    DomainCost,
    TenantCost,
    billed_by_domain,
    billed_by_tenant_tag,
)
from costplane.allocation.cost_domain import cost_domain

__all__ = ["DomainCost", "TenantCost", "billed_by_domain", "billed_by_tenant_tag", "cost_domain"]
