"""A PostgreSQL collection as warehouse loads: `database_stats` and `business_signals`.

`database_stats` holds one snapshot per (server, database) at the collection's
instant (scope `server/database`), its rows told apart by `relation_kind`:

| relation_kind | relation | what the row says |
|---|---|---|
| database | the database | size, connections, idle connections, summed table bloat |
| table | table (`schema.table` outside public) | size, rows (exact or estimated), bloat |
| index | index | size and scans since the statistics reset |
| constraint_index | index | the same, for primary key, unique and exclusion indexes |
| module / custom_module | module | an installed Odoo module, shipped with Odoo or not |
| attachments | res_model (null: none) | count, physical (size_bytes), logical, db bytes |
| attachment_store | null | the same over all models: each file counted once |
| odoo_table | table | exact rows of a table that grows with business volume |
| odoo_rows_added | `table/YYYY-MM` | rows created that month (`create_date`) |
| failed_mail | mail_mail | outgoing mail in state exception (row_count) |
| failed_jobs | queue_job | queue jobs in state failed (row_count) |

`business_signals` gets one load per calendar month (same scope), so collecting
again replaces each month it covers and never overlaps an earlier one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from itertools import groupby
from typing import Any

import pyarrow as pa

from costplane.sources.postgres.model import DatabaseReading, OdooReading, Signal
from costplane.warehouse import FACT_TABLES, Load

SOURCE = "postgres"

Row = dict[str, Any]


def scope(server: str, database: str) -> str:
    return f"{server}/{database}"


def database_loads(server: str, taken_at: dt.datetime, reading: DatabaseReading) -> list[Load]:
    """The snapshot of one database, and its business signals month by month."""
    base = {
        "taken_at": taken_at,
        "server": server,
        "database": reading.name,
        "tenant": reading.tenant,
        "environment": reading.environment,
    }
    rows = [{**base, **row} for row in stats_rows(reading)]
    schema = FACT_TABLES["database_stats"].schema.to_pyarrow()
    where = scope(server, reading.name)
    loads = [
        Load(
            "database_stats", SOURCE, where, taken_at, taken_at, pa.Table.from_pylist(rows, schema)
        )
    ]
    if reading.odoo is not None:
        loads += signal_loads(where, reading.tenant, reading.environment, reading.odoo.signals)
    return loads


def stats_rows(reading: DatabaseReading) -> Iterator[Row]:
    bloat = [t.bloat_bytes for t in reading.tables if t.bloat_bytes is not None]
    yield {
        "relation_kind": "database",
        "relation": reading.name,
        "size_bytes": reading.size_bytes,
        "bloat_bytes": sum(bloat) if bloat else None,
        "connections": reading.activity.connections,
        "idle_connections": reading.activity.idle + reading.activity.idle_in_transaction,
    }
    for table in reading.tables:
        yield {
            "relation_kind": "table",
            "relation": table.relation,
            "size_bytes": table.size_bytes,
            "row_count": table.row_count,
            "row_count_exact": table.row_count_exact,
            "bloat_bytes": table.bloat_bytes,
        }
    for index in reading.indexes:
        yield {
            "relation_kind": "constraint_index" if index.enforces_constraint else "index",
            "relation": index.relation,
            "size_bytes": index.size_bytes,
            "index_scans": index.scans,
        }
    if reading.odoo is not None:
        sizes = {t.relation: t.size_bytes for t in reading.tables}
        yield from odoo_rows(reading.odoo, sizes)


def odoo_rows(odoo: OdooReading, sizes: dict[str, int]) -> Iterator[Row]:
    for module in odoo.modules:
        kind = "custom_module" if module.custom else "module"
        yield {"relation_kind": kind, "relation": module.name}
    store = [odoo.attachment_store] if odoo.attachment_store else []
    for kind, items in (("attachments", odoo.attachments), ("attachment_store", store)):
        for item in items:
            yield {
                "relation_kind": kind,
                "relation": item.res_model,
                "row_count": item.count,
                "row_count_exact": True,
                "size_bytes": item.physical_bytes,
                "logical_bytes": item.logical_bytes,
                "db_bytes": item.db_bytes,
            }
    for table, count in odoo.table_rows.items():
        yield {
            "relation_kind": "odoo_table",
            "relation": table,
            "size_bytes": sizes.get(table),
            "row_count": count,
            "row_count_exact": True,
        }
    for table, months in odoo.rows_added.items():
        for month, count in sorted(months.items()):
            yield {
                "relation_kind": "odoo_rows_added",
                "relation": f"{table}/{month}",
                "row_count": count,
                "row_count_exact": True,
            }
    failures: list[tuple[str, str, int | None]] = [
        ("failed_mail", "mail_mail", odoo.failed_mail),
        ("failed_jobs", "queue_job", odoo.failed_jobs),
    ]
    for kind, relation, failed in failures:
        if failed is not None:
            yield {
                "relation_kind": kind,
                "relation": relation,
                "row_count": failed,
                "row_count_exact": True,
            }


def signal_loads(
    where: str, tenant: str | None, environment: str | None, signals: Sequence[Signal]
) -> list[Load]:
    schema = FACT_TABLES["business_signals"].schema.to_pyarrow()
    loads = []
    for start, items in groupby(
        sorted(signals, key=lambda s: s.day), key=lambda s: month_of(s.day)
    ):
        rows = [
            {
                "day": s.day,
                "tenant": tenant,
                "environment": environment,
                "signal": s.signal,
                "count": s.count,
            }
            for s in items
        ]
        loads.append(
            Load(
                "business_signals",
                SOURCE,
                where,
                dt.datetime.combine(start, dt.time()),
                dt.datetime.combine(next_month(start), dt.time()),
                pa.Table.from_pylist(rows, schema),
            )
        )
    return loads


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
