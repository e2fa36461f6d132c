"""What identifies the allocation as it stands: a reader that keeps something computed from
it (the `/metrics` exposition) asks for this cheap stamp and recomputes only when it moved.

`allocate` replaces a range of days in one transaction and stamps every row it writes
with `allocated_at`, to the second; so a new allocation raises the newest `allocated_at`
or changes the row count, and a reload of the bill that is not allocated yet changes
the loads registry (its newest `loaded_at` and its length).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis.expr.types as ir

from costplane.warehouse import ALLOCATIONS, Warehouse


@dataclass(frozen=True)
class AllocationStamp:
    rows: int
    last_day: dt.date | None
    allocated_at: dt.datetime | None
    loads: int
    loaded_at: dt.datetime | None


def allocation_stamp(warehouse: Warehouse) -> AllocationStamp:
    """One aggregate over `allocations` (no rows leave the engine) and the loads registry."""
    table: ir.Table = warehouse.table(ALLOCATIONS.name)
    found = table.aggregate(
        rows=table.count(), last_day=table.day.max(), allocated_at=table.allocated_at.max()
    )
    (row,) = found.to_pyarrow().to_pylist()
    loads = warehouse.loads()
    newest = max((record.loaded_at for record in loads), default=None)
    return AllocationStamp(row["rows"], row["last_day"], row["allocated_at"], len(loads), newest)
