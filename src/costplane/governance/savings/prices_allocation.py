"""Prices from the allocation: what a core-hour and a GiB-hour really cost in each cluster.

Allocation prices a node's day from its bill by OpenCost's rule (docs/allocation.md):
the CPU and memory shares of a node's cost are split in the ratio of the price
sheet's prices, so on every node `core-hour = k x price sheet cpu` and `GiB-hour =
k x price sheet memory`, with `k` that node's bill over its list value. Over a
cluster's container lines in the window, then,

    k = sum(cost) / sum(core-hours x sheet cpu + GiB-hours x sheet memory)

is the cluster's billed-over-list factor. Savings of CPU and memory use the sheet's
prices times `k` of the resource's cluster; everything else (storage, snapshots,
logs, databases) and resources outside any allocated cluster use the price sheet.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from costplane.allocation import AllocationKind
from costplane.catalog import PriceSheet
from costplane.governance.inventory.resources import ResourceRef
from costplane.governance.savings.prices import PriceSheetPrices
from costplane.warehouse import Warehouse

SCALED = frozenset({"cpu", "memory"})


class AllocationPrices:
    """Price-sheet prices, with CPU and memory scaled by each cluster's allocated factor."""

    def __init__(self, sheet: PriceSheet, factors: dict[str, Decimal]) -> None:
        self.sheet = PriceSheetPrices(sheet)
        self.factors = factors

    @classmethod
    def from_warehouse(
        cls, warehouse: Warehouse, sheet: PriceSheet, start: dt.date, end: dt.date
    ) -> AllocationPrices:
        """Factors from the allocations of the days in [start, end)."""
        return cls(sheet, cluster_factors(warehouse, sheet, start, end))

    def price(
        self, name: str, subject: ResourceRef, storage_class: str | None = None
    ) -> Decimal | None:
        listed = self.sheet.price(name, subject, storage_class)
        factor = self.factors.get(subject.cluster or "")
        if listed is None or factor is None or name not in SCALED:
            return listed
        return listed * factor


def cluster_factors(
    warehouse: Warehouse, sheet: PriceSheet, start: dt.date, end: dt.date
) -> dict[str, Decimal]:
    """Each cluster's allocated compute cost over its list value, for container lines."""
    allocations = warehouse.table("allocations")
    lines = allocations.filter(
        (allocations.day >= start)
        & (allocations.day < end)
        & (allocations.kind == AllocationKind.DIRECT.value)
        & (allocations.cost_domain == "compute")
        & allocations.cpu_core_hours.notnull()
        & allocations.cluster.notnull()
    )
    table = lines.group_by("cluster").aggregate(
        cost=lines.cost.sum(),
        core_hours=lines.cpu_core_hours.sum(),
        gib_hours=lines.memory_gib_hours.sum(),
    )
    cpu, memory = sheet.cpu.canonical, sheet.memory.canonical
    factors: dict[str, Decimal] = {}
    for row in table.to_pyarrow().to_pylist():
        listed = Decimal(repr(row["core_hours"] or 0.0)) * cpu
        listed += Decimal(repr(row["gib_hours"] or 0.0)) * memory
        if listed > 0 and row["cost"] is not None:
            factors[row["cluster"]] = Decimal(row["cost"]) / listed
    return factors
