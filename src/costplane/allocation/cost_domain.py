"""Which cost domain a billed charge belongs to, from its FOCUS service classification.

FOCUS gives every charge a ServiceCategory and (from 1.1) a ServiceSubcategory
from fixed lists. The subcategory decides when it is known; otherwise the
category does. A charge neither places stays unclassified: it is shown as such,
never guessed into a domain.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from costplane.catalog import CostDomain

BY_SUBCATEGORY: dict[str, CostDomain] = {
    "Caching": CostDomain.CACHE,
    "Backups": CostDomain.BACKUP,  # FOCUS 1.3
    "Backup Storage": CostDomain.BACKUP,  # FOCUS 1.2
    "Disaster Recovery": CostDomain.BACKUP,
    "Observability": CostDomain.OBSERVABILITY,
}
"""Subcategories whose domain differs from their category's."""

BY_CATEGORY: dict[str, CostDomain] = {
    "Compute": CostDomain.COMPUTE,
    "Databases": CostDomain.DATABASE,
    "Storage": CostDomain.STORAGE,
    "Networking": CostDomain.INGRESS,
}


def cost_domain(category: ir.StringValue, subcategory: ir.StringValue) -> ir.StringValue:
    """An Ibis expression naming the domain of each row, NULL when unclassified."""
    by_subcategory = [
        (subcategory == name, domain.value) for name, domain in BY_SUBCATEGORY.items()
    ]
    by_category = [(category == name, domain.value) for name, domain in BY_CATEGORY.items()]
    return ibis.cases(*by_subcategory, *by_category, else_=ibis.null(str))
