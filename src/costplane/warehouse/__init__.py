"""The warehouse: declared fact tables on DuckDB or PostgreSQL, read through Ibis.

Every source writes through one API, `Warehouse.ingest`, with `Load`s: all
loads of a call land in one transaction, and loading the same (table, source,
scope, period) again replaces the earlier rows instead of adding to them. A
reload that would hold materially less is refused unless asked for, and the
load it replaces is kept, to be restored (`Warehouse.restore`).
"""

from costplane.warehouse.columnar import ELEMENT, ObjectColumns, object_columns
from costplane.warehouse.connect import (
    Access,
    Warehouse,
    connect_warehouse,
    remove_embedded,
    wait_seconds_from_environment,
)
from costplane.warehouse.load import Load, LoadRecord, LoadResult, ReplacedLoad
from costplane.warehouse.shrink import SHRINK_LIMIT, LoadShrankError
from costplane.warehouse.tables import (
    ALLOCATIONS,
    BACKUP_RECORDS,
    BILLING_LINES,
    DERIVED_TABLES,
    FACT_TABLES,
    INVENTORY_COLUMNS,
    INVENTORY_SNAPSHOTS,
    LOADS,
    FactTable,
)
from costplane.warehouse.temporary import temporary_table
from costplane.warehouse.transaction import SnapshotConflictError

__all__ = [
    "ALLOCATIONS",
    "BACKUP_RECORDS",
    "BILLING_LINES",
    "DERIVED_TABLES",
    "ELEMENT",
    "FACT_TABLES",
    "INVENTORY_COLUMNS",
    "INVENTORY_SNAPSHOTS",
    "LOADS",
    "SHRINK_LIMIT",
    "Access",
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
    "object_columns",
    "remove_embedded",
    "temporary_table",
    "wait_seconds_from_environment",
]
