"""The collection as people and scripts read it: the `--output json` document."""

from __future__ import annotations

from collections import Counter
from typing import Any

from costplane.sources.postgres.model import Attachments, DatabaseReading, OdooReading


def summary(server: str, readings: list[DatabaseReading]) -> dict[str, Any]:
    return {"server": server, "databases": [database_summary(r) for r in readings]}


def database_summary(reading: DatabaseReading) -> dict[str, Any]:
    unused = [i for i in reading.indexes if i.unused]
    bloat = [t.bloat_bytes for t in reading.tables if t.bloat_bytes is not None]
    growth = reading.growth
    return {
        "name": reading.name,
        "size_bytes": reading.size_bytes,
        "tenant": reading.tenant,
        "environment": reading.environment,
        "growth": None
        if growth is None
        else {
            "since": growth.since,
            "previous_bytes": growth.previous_bytes,
            "bytes": growth.bytes,
            "bytes_per_day": None if growth.bytes_per_day is None else round(growth.bytes_per_day),
        },
        "tables": len(reading.tables),
        "table_bytes": sum(t.size_bytes for t in reading.tables),
        "index_bytes": sum(i.size_bytes for i in reading.indexes),
        "bloat_bytes": sum(bloat) if bloat else None,
        "stats_reset": reading.stats_reset,
        "unused_indexes": [
            {"name": i.relation, "table": i.table, "size_bytes": i.size_bytes} for i in unused
        ],
        "unused_index_bytes": sum(i.size_bytes for i in unused),
        "connections": reading.activity.connections,
        "idle_connections": reading.activity.idle + reading.activity.idle_in_transaction,
        "idle_in_transaction": reading.activity.idle_in_transaction,
        "odoo": None if reading.odoo is None else odoo_summary(reading.odoo),
    }


def odoo_summary(odoo: OdooReading) -> dict[str, Any]:
    signals: Counter[str] = Counter()
    for signal in odoo.signals:
        signals[signal.signal] += signal.count
    return {
        "version": odoo.version,
        "modules_installed": len(odoo.modules),
        "custom_modules": len(odoo.custom_modules),
        "custom_module_names": odoo.custom_modules,
        "attachments": [attachment_summary(a) for a in odoo.attachments],
        "attachment_store": None if odoo.attachment_store is None else store_summary(odoo),
        "table_rows": dict(odoo.table_rows),
        "rows_added": {t: dict(sorted(m.items())) for t, m in odoo.rows_added.items()},
        "failed_mail": odoo.failed_mail,
        "failed_jobs": odoo.failed_jobs,
        "signals": dict(signals),
    }


def attachment_summary(item: Attachments) -> dict[str, Any]:
    return {
        "res_model": item.res_model,
        "count": item.count,
        "logical_bytes": item.logical_bytes,
        "physical_bytes": item.physical_bytes,
        "db_bytes": item.db_bytes,
    }


def store_summary(odoo: OdooReading) -> dict[str, Any]:
    """All models together: each file in the store counted once, whichever models share it."""
    assert odoo.attachment_store is not None
    totals = attachment_summary(odoo.attachment_store)
    del totals["res_model"]
    return totals
