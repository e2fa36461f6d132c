"""Intermediate tables on the warehouse's own engine, for the length of one connection.

Allocation, reconciliation and the FOCUS export hand the engine small tables (days,
dimensions, tenant names) and reuse intermediate results; each is written once here, as
`_costplane_<name>`, so it runs where the facts are (DuckDB, PostgreSQL or a cluster),
is replaced when made again, and goes when the connection closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import ibis.expr.types as ir
import pyarrow as pa

if TYPE_CHECKING:
    from costplane.warehouse.connect import Warehouse

PREFIX = "_costplane_"
"""Temporary tables are named apart from the warehouse's own."""


def temporary_table(warehouse: Warehouse, name: str, data: ir.Table | pa.Table) -> ir.Table:
    """`data` as the temporary table `_costplane_<name>`, replacing one of that name."""
    return warehouse.ibis.create_table(f"{PREFIX}{name}", data, temp=True, overwrite=True)
