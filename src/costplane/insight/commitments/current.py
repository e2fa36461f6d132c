"""The commitments a FOCUS bill already carries, and how much of each was used.

FOCUS marks each usage row a commitment covers with its `CommitmentDiscountId` and
`CommitmentDiscountStatus` `Used`, and the commitment's idle share with status `Unused`.
Utilisation is by amortized cost: `used / (used + unused)` of `EffectiveCost`, as the
FinOps Foundation's commitment-utilisation KPI defines it. The purchase rows themselves
(no status) carry the billed amount and are not counted twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from costplane.insight.commitments.plan import CommitmentUse
from costplane.warehouse import Warehouse

UTILISATION = Decimal("0.0001")


def current_commitments(
    warehouse: Warehouse, start: dt.datetime, end: dt.datetime
) -> list[CommitmentUse]:
    lines = warehouse.table("billing_lines")
    covered = lines.filter(
        lines.commitment_discount_id.notnull()
        & (lines.commitment_discount_id != "")
        & (lines.charge_period_start >= start)
        & (lines.charge_period_start < end)
    )
    rows = (
        covered.group_by(
            ["commitment_discount_id", "commitment_discount_category", "commitment_discount_status"]
        )
        .aggregate(effective=covered.effective_cost.sum())
        .to_pyarrow()
        .to_pylist()
    )
    used: dict[str, Decimal] = defaultdict(Decimal)
    unused: dict[str, Decimal] = defaultdict(Decimal)
    category: dict[str, str | None] = {}
    for row in rows:
        key = row["commitment_discount_id"]
        category.setdefault(key, row["commitment_discount_category"])
        status = (row["commitment_discount_status"] or "").lower()
        amount = Decimal(row["effective"] or 0)
        if status == "used":
            used[key] += amount
        elif status == "unused":
            unused[key] += amount
    found = []
    for key in sorted(category):
        total = used[key] + unused[key]
        found.append(
            CommitmentUse(
                commitment_discount_id=key,
                category=category[key],
                used_cost=used[key],
                unused_cost=unused[key],
                utilisation=(used[key] / total).quantize(UTILISATION) if total else None,
            )
        )
    return found
