"""Intermediate tables are made on the warehouse's own engine, by one function."""

from __future__ import annotations

import pyarrow as pa

from costplane.warehouse import connect_warehouse, temporary_table


def test_a_temporary_table_is_made_on_the_engine_and_replaced_when_made_again(
    warehouse_url: str,
) -> None:
    with connect_warehouse(warehouse_url) as warehouse:
        temporary_table(warehouse, "days", pa.table({"day": [1, 2, 3]}))
        days = temporary_table(warehouse, "days", pa.table({"day": [4]}))
        assert days.to_pyarrow().column("day").to_pylist() == [4]
