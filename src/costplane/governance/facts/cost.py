"""`allocated_cost`: what the `allocations` table places on a resource over a window.

A Namespace (and anything in one) gets its namespace's cost in its cluster, a
`tenant` resource its tenant's, an `environment` resource its tenant's environment.
Days are whole UTC days of the window; the sum is exact (decimal), in the catalog's
currency. Without an allocation (`costplane allocate` not run) the fact is unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import bounds, namespace_of
from costplane.governance.inventory.resources import ResourceRef


class CostFacts(WarehouseProvider):
    """Allocated cost per namespace, tenant and environment, one query per window."""

    FACTS = (
        FactDefinition(
            "allocated_cost",
            FactType.NUMBER,
            "cost allocated to the resource (namespace, tenant, environment) in the window, "
            "in the catalog's currency",
            windowed=True,
        ),
    )

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        start, end = bounds(request)
        assert start is not None, "allocated_cost is windowed"
        costs = self.cache.get((start, end), lambda: self._costs(start.date(), end.date()))
        return [_cost(ref, costs) for ref in subjects]

    def _costs(self, start: dt.date, end: dt.date) -> dict[tuple[Any, ...], Decimal]:
        allocations = self.warehouse.table("allocations")
        days = allocations.filter((allocations.day >= start) & (allocations.day < end))
        table = days.group_by(["cluster", "namespace", "tenant", "environment"]).aggregate(
            cost=days.cost.sum()
        )
        costs: dict[tuple[Any, ...], Decimal] = {}
        for row in table.to_pyarrow().to_pylist():
            amount = Decimal(row["cost"] or 0)
            for key in (
                ("namespace", row["cluster"], row["namespace"]),
                ("tenant", row["tenant"]),
                ("environment", row["tenant"], row["environment"]),
            ):
                if all(part is not None for part in key):
                    costs[key] = costs.get(key, Decimal(0)) + amount
        return costs


def _cost(ref: ResourceRef, costs: dict[tuple[Any, ...], Decimal]) -> Decimal | None:
    if ref.kind == "tenant":
        return costs.get(("tenant", ref.name))
    if ref.kind == "environment":
        return costs.get(("environment", ref.tenant, ref.environment))
    namespace = namespace_of(ref)
    if namespace is None:
        return None
    return costs.get(("namespace", ref.cluster, namespace))
