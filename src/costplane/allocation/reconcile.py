"""The invariant, shown: per day, the bill equals what allocation placed, to the nano-unit.

billed = allocated to tenants + shared spread + idle + unallocated, for the cost
that comes from the bill (price-sheet and overhead cost are not on the bill and
are not part of it). `billed` is read from the bill again here, with long
charges spread over their days the same way, so the check does not trust the
allocation's own totals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from costplane.allocation.charges import bill_charges
from costplane.allocation.kind import AllocationKind
from costplane.allocation.run import charge_span
from costplane.allocation.window import Window, day_table
from costplane.warehouse import ALLOCATIONS, Warehouse, temporary_table

PARTS = ("allocated", "shared", "idle", "unallocated")
KIND_OF_PART = {
    "allocated": AllocationKind.DIRECT,
    "shared": AllocationKind.SHARED,
    "idle": AllocationKind.IDLE,
    "unallocated": AllocationKind.UNALLOCATED,
}


@dataclass(frozen=True)
class ReconciledDay:
    date: dt.date | None  # None for the total
    billed: Decimal
    allocated: Decimal
    shared: Decimal
    idle: Decimal
    unallocated: Decimal

    @property
    def difference(self) -> Decimal:
        return self.billed - (self.allocated + self.shared + self.idle + self.unallocated)


def reconcile(warehouse: Warehouse, window: Window) -> tuple[list[ReconciledDay], ReconciledDay]:
    """Each day of the window and the window's total."""
    billed = billed_by_day(warehouse, window)
    placed = placed_by_day(warehouse, window)
    days = [
        ReconciledDay(
            date=day,
            billed=billed.get(day, Decimal(0)),
            **{part: placed.get((day, part), Decimal(0)) for part in PARTS},
        )
        for day in window.days()
    ]
    total = ReconciledDay(
        date=None,
        billed=sum((d.billed for d in days), Decimal(0)),
        **{part: sum((getattr(d, part) for d in days), Decimal(0)) for part in PARTS},
    )
    return days, total


def billed_by_day(warehouse: Warehouse, window: Window) -> dict[dt.date, Decimal]:
    first, end = charge_span(warehouse, window)
    days = temporary_table(warehouse, "reconcile_days", day_table(first, end))
    charges = bill_charges(warehouse.table("billing_lines"), days)
    inside = charges.filter(charges.day >= window.start, charges.day < window.end)
    totals = inside.group_by("day").aggregate(nano=inside.billed.sum()).to_pyarrow().to_pylist()
    return {row["day"]: Decimal(row["nano"]).scaleb(-9) for row in totals}


def placed_by_day(warehouse: Warehouse, window: Window) -> dict[tuple[dt.date, str], Decimal]:
    table = warehouse.table(ALLOCATIONS.name)
    rows = table.filter(table.day >= window.start, table.day < window.end, table.source == "bill")
    totals = rows.group_by(["day", "kind"]).aggregate(cost=rows.cost.sum())
    part_of = {kind: part for part, kind in KIND_OF_PART.items()}
    return {
        (row["day"], part_of[row["kind"]]): row["cost"]
        for row in totals.to_pyarrow().to_pylist()
        if row["kind"] in part_of
    }
