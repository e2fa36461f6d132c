"""The warehouse: declared fact tables on DuckDB or PostgreSQL, read through Ibis.

Every source writes through one API, `Warehouse.ingest`, with `Load`s: all
loads of a call land in one transaction, and loading the same (table, source,
scope, period) again replaces the earlier rows instead of adding to them. A
reload that would hold materially less is refused unless asked for, and the
load it replaces is kept, to be restored (`Warehouse.restore`).
"""

from costplane.warehouse.columnar import ObjectColumns
from costplane.warehouse.connect import Access, Warehouse, connect_warehouse, remove_embedded
from costplane.warehouse.load import Load, LoadRecord, LoadResult, ReplacedLoad
from costplane.warehouse.shrink import SHRINK_LIMIT, LoadShrankError
from costplane.warehouse.tables import (
    ALLOCATIONS,
    DERIVED_TABLES,
    FACT_TABLES,
    LOADS,
    DerivedTable,
    FactTable,
)
from costplane.warehouse.temporary import temporary_table
from costplane.warehouse.transaction import SnapshotConflictError

__all__ = [
    "ALLOCATIONS",
    "DERIVED_TABLES",
    "FACT_TABLES",
    "LOADS",
    "SHRINK_LIMIT",
    "Access",
    "DerivedTable",
    "FactTable",
    "Load",
    "LoadRecord",
    "LoadResult",
    "LoadShrankError",
    "ObjectColumns",
    "ReplacedLoad",
    "SnapshotConflictError",
    "Warehouse",
    "connect_warehouse",
    "remove_embedded",
    "temporary_table",
]
