"""A report narrowed to one tenant: what a tenant's own token is shown.

A tenant's lines of showback, chargeback and unit cost do not depend on the other
tenants', so narrowing a whole report's document to them, and summing them for its
total, is that tenant's report. What only the host knows (the split of the whole bill by
source, cost no tenant carries) is left out: `sources` is None.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from costplane.allocation import AllocationKind

KIND_TOTALS = (*(kind.value for kind in AllocationKind), "total")


def showback_of_tenant(document: dict[str, Any], tenant: str) -> dict[str, Any]:
    lines = [line for line in document["lines"] if line["tenant"] == tenant]
    total = {kind: _sum(line[kind] for line in lines) for kind in KIND_TOTALS}
    return {**document, "lines": lines, "total": total, "sources": None}


def chargeback_of_tenant(document: dict[str, Any], tenant: str) -> dict[str, Any]:
    lines = [line for line in document["lines"] if line["tenant"] == tenant]
    tenants = [row for row in document["tenants"] if row["tenant"] == tenant]
    total = {
        "cost": _sum(row["cost"] for row in tenants),
        "charge": _sum(row["total"] for row in tenants),
    }
    return {**document, "lines": lines, "tenants": tenants, "total": total}


def unit_cost_of_tenant(document: dict[str, Any], tenant: str) -> dict[str, Any]:
    """Its row; its total is that row (an empty month: nothing, zero cost)."""
    tenants = [row for row in document["tenants"] if row["tenant"] == tenant]
    if tenants:
        total = {k: v for k, v in tenants[0].items() if k not in ("tenant", "service_class")}
    else:
        total = {
            "cost": Decimal(0),
            **dict.fromkeys(("orders", "pickings", "invoices"), 0),
            **dict.fromkeys(("per_order", "per_picking", "per_invoice")),
        }
    return {**document, "tenants": tenants, "total": total}


def _sum(values: Any) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal(0))
