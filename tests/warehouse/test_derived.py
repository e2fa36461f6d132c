"""Derived tables (the allocation) are replaced a range of days at a time, atomically."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import ibis
import pytest

from costplane.warehouse import ALLOCATIONS, Warehouse

DAY = dt.date(2026, 10, 1)


def rows(days: list[dt.date], cost: str) -> ibis.Table:
    """Allocation rows as an in-warehouse expression (a VALUES list), one per day."""
    return ibis.memtable(
        {"day": days, "tenant": ["acme"] * len(days), "cost": [Decimal(cost)] * len(days)},
        schema={"day": "date", "tenant": "string", "cost": "decimal(38, 9)"},
    )


def stored(warehouse: Warehouse) -> list[tuple[dt.date, Decimal]]:
    table = warehouse.table(ALLOCATIONS.name)
    result = table.select("day", "cost").order_by("day").to_pyarrow().to_pylist()
    return [(r["day"], r["cost"]) for r in result]


def full(expr: ibis.Table) -> ibis.Table:
    """The expression with every allocations column (NULL where it has none)."""
    return expr.select(
        **{
            name: expr[name] if name in expr.columns else ibis.null(dtype)
            for name, dtype in ALLOCATIONS.schema.items()
        }
    )


@pytest.fixture
def days(warehouse: Warehouse) -> list[dt.date]:
    warehouse.ensure_schema()
    return [DAY + dt.timedelta(days=i) for i in range(4)]


def test_replacing_days_keeps_the_others(warehouse: Warehouse, days: list[dt.date]) -> None:
    expr = full(warehouse.ibis.create_table("_t1", rows(days, "1.5"), temp=True, overwrite=True))
    assert warehouse.replace_days(ALLOCATIONS.name, days[0], days[-1] + dt.timedelta(1), expr) == 4
    again = full(
        warehouse.ibis.create_table("_t2", rows(days[1:3], "2.25"), temp=True, overwrite=True)
    )
    assert warehouse.replace_days(ALLOCATIONS.name, days[1], days[3], again) == 2
    assert stored(warehouse) == [
        (days[0], Decimal("1.5")),
        (days[1], Decimal("2.25")),
        (days[2], Decimal("2.25")),
        (days[3], Decimal("1.5")),
    ]


def test_a_failed_replacement_leaves_the_days_whole(
    warehouse: Warehouse, days: list[dt.date]
) -> None:
    expr = full(warehouse.ibis.create_table("_t3", rows(days, "1"), temp=True, overwrite=True))
    warehouse.replace_days(ALLOCATIONS.name, days[0], days[-1] + dt.timedelta(1), expr)
    broken = full(warehouse.ibis.create_table("_t4", rows(days, "1"), temp=True, overwrite=True))
    broken = broken.mutate(cost=ibis.literal("not money").cast("decimal(38, 9)"))
    with pytest.raises(Exception):  # noqa: B017, PT011 - each engine raises its own error
        warehouse.replace_days(ALLOCATIONS.name, days[0], days[-1] + dt.timedelta(1), broken)
    assert [cost for _, cost in stored(warehouse)] == [Decimal(1)] * 4
