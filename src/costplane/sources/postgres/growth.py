"""Growth since the previous snapshot: the size each database had when last collected.

The previous snapshot is the newest `database` row this collector (source
`postgres`) wrote for the same server and database, so the fleet's synthetic
rows and other servers never stand in for it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from costplane.sources.postgres.model import Growth
from costplane.warehouse import Warehouse

SOURCE = "postgres"
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Snapshot:
    taken_at: dt.datetime
    size_bytes: int


def previous_sizes(warehouse: Warehouse, server: str) -> dict[str, Snapshot]:
    """Database -> its newest snapshot from this collector on `server`."""
    stats = warehouse.table("database_stats")
    loads = warehouse.table("loads")
    ours = loads.filter(loads.table_name == "database_stats", loads.source == SOURCE)
    rows = stats.filter(
        stats.server == server, stats.relation_kind == "database", stats.size_bytes.notnull()
    ).semi_join(ours, "load_id")
    newest = rows.group_by("database").aggregate(newest=rows.taken_at.max())
    latest = rows.join(
        newest, [rows.database == newest.database, rows.taken_at == newest.newest]
    ).select(rows.database, rows.taken_at, rows.size_bytes)
    return {
        row["database"]: Snapshot(row["taken_at"], int(row["size_bytes"]))
        for row in latest.to_pyarrow().to_pylist()
    }


def growth(
    previous: Snapshot | None, size_bytes: int | None, taken_at: dt.datetime
) -> Growth | None:
    if previous is None or size_bytes is None or previous.taken_at >= taken_at:
        return None
    change = size_bytes - previous.size_bytes
    days = (taken_at - previous.taken_at).total_seconds() / DAY_SECONDS
    return Growth(previous.taken_at, previous.size_bytes, change, change / days if days else None)
