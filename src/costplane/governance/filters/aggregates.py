"""One number per resource from the many values a `[*]` path reaches.

    - key: spec.template.spec.containers[*].resources.requests.cpu
      value_type: quantity
      aggregate: sum          # the pod's request: every container's, added up
      op: gt
      value: 2

Used by value filters (compare the pod's total, not each container's) and by
savings operands. An element without the key, or with null, adds nothing: a
container with no CPU request requests none. A value that does not read as its
type makes the resource's aggregate that value, so the filter reports it as
unreadable instead of summing around it. A resource with no values sums and
counts to 0 and has no max or min (absent).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

import numpy as np

from costplane.governance.filters.value_types import Reader
from costplane.governance.inventory.columns import Column

Aggregate = Literal["sum", "max", "min", "count"]


def aggregate(how: Aggregate, values: list[Decimal], default: Decimal | None) -> Decimal | None:
    """`how` over `values`; `default` for a max or min of nothing."""
    if how == "count":
        return Decimal(len(values))
    if how == "sum":
        return sum(values, Decimal(0))
    if not values:
        return default
    return max(values) if how == "max" else min(values)


def aggregated(column: Column, how: Aggregate, read: Reader) -> Column:
    """A column with one value per row: `how` over the values `column` holds for it, each
    read by `read` (count reads nothing: it counts the values that are not null)."""
    per_row: list[list[Decimal]] = [[] for _ in range(column.rows)]
    unreadable: dict[int, object] = {}
    owners = column.owner
    slots = range(len(column.values)) if column.present is None else column.present.tolist()
    for slot, value in zip(slots, column.values, strict=True):
        if value is None:
            continue
        row = int(owners[slot]) if owners is not None else int(slot)
        if how == "count":
            per_row[row].append(Decimal(1))
            continue
        try:
            amount = read(value)
        except ValueError:
            unreadable.setdefault(row, value)
            continue
        if isinstance(amount, Decimal):
            per_row[row].append(amount)
        else:
            unreadable.setdefault(row, value)
    values: list[object] = []
    present: list[int] = []
    for row, amounts in enumerate(per_row):
        found = unreadable.get(row, aggregate(how, amounts, None))
        if found is not None:
            present.append(row)
            values.append(found)
    rows = column.rows
    kept = None if len(present) == rows else np.array(present, dtype=np.intp)
    return Column(rows, rows, None, kept, values)
