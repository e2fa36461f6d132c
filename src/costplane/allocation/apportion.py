"""Splitting an amount over consumers by weight, exactly: the one primitive of the cost model.

Amounts are whole nano-units of the currency (1e-9), so sums are exact integers
on every engine. Each amount is split in proportion to its consumers' weights;
the shares are floored and the units left over go, one each, to the consumers
with the largest fractional remainders (ties broken by the consumer columns),
so the parts always add up to the amount, to the unit. This is what makes every
allocation reconcile with the bill.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

NANO = 1_000_000_000
"""Nano-units in one unit of the currency."""


def apportion(
    amounts: ir.Table,
    weights: ir.Table,
    key: Sequence[str],
    amount_columns: Sequence[str],
    consumer_order: Sequence[str],
) -> ir.Table:
    """Each row of `amounts` (unique by `key`) split over the `weights` rows with its key.

    `weights` has the key columns, a positive float `weight`, and consumer columns;
    the result has the weights' columns plus each amount column holding the
    consumer's share. Amounts whose key has no weight are not in the result (see
    `unweighted`). `consumer_order` breaks ties between equal remainders, so the
    result is the same on every engine.
    """
    joined = weights.filter(weights.weight > 0).join(amounts, list(key))
    total = joined.weight.sum().over(group_by=[joined[k] for k in key])
    count = joined.count().over(group_by=[joined[k] for k in key])
    shares = joined.mutate(_share=joined.weight / total, _count=count)
    parts = {}
    for column in amount_columns:
        exact = shares[column].cast("float64") * shares._share
        parts[f"_floor_{column}"] = exact.floor().cast("int64")
        # Rounded so that float noise from engine-specific summation order does not
        # reorder equal remainders; ties then go by the consumer columns.
        parts[f"_frac_{column}"] = (exact - exact.floor()).round(6)
    floored = shares.mutate(**parts)
    group = [floored[k] for k in key]
    settled = {}
    for column in amount_columns:
        rest = floored[column] - floored[f"_floor_{column}"].sum().over(group_by=group)
        per_row = (rest.cast("float64") / floored._count).floor().cast("int64")
        extra = rest - per_row * floored._count
        rank = ibis.row_number().over(
            group_by=group,
            order_by=[
                ibis.desc(floored[f"_frac_{column}"]),
                *(floored[c] for c in consumer_order),
            ],
        )
        settled[column] = (
            floored[f"_floor_{column}"] + per_row + ibis.ifelse(rank < extra, 1, 0)
        ).cast("int64")
    helper = [c for c in floored.columns if c.startswith("_")]
    return floored.mutate(**settled).drop(*helper)


def unweighted(amounts: ir.Table, weights: ir.Table, key: Sequence[str]) -> ir.Table:
    """The amounts no positive weight claims: they stay unallocated."""
    return without(amounts, weights.filter(weights.weight > 0), key)


def without(rows: ir.Table, other: ir.Table, key: Sequence[str]) -> ir.Table:
    """The rows whose key `other` does not have (an anti-join).

    Written as a left join, which every engine compiles the same way: Ibis's
    anti-join comes out as `LEFT ANTI JOIN` in some PostgreSQL plans.
    """
    marks = other.select(*key).distinct().mutate(_other=ibis.literal(1))
    joined = rows.left_join(marks, list(key))
    return joined.filter(joined._other.isnull()).select(*rows.columns)
