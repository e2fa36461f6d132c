"""Reading one database: its size, tables and indexes, and Odoo's figures when it is Odoo."""

from __future__ import annotations

import datetime as dt

from costplane.sources.postgres.model import Activity, DatabaseReading
from costplane.sources.postgres.odoo import is_odoo, read_odoo
from costplane.sources.postgres.reading import Reader
from costplane.sources.postgres.relations import read_indexes, read_tables


def read_database(
    reader: Reader,
    activity: Activity,
    tenant: tuple[str, str] | None,
    signals_since: dt.date,
) -> DatabaseReading:
    """Everything the role may read in the reader's database; the rest goes to missing."""
    tenant_id, environment = tenant if tenant else (None, None)
    reading = DatabaseReading(reader.database, tenant_id, environment, activity)
    reading.size_bytes = reader.attempt(
        "size", lambda: int(reader.value("SELECT pg_database_size(current_database())"))
    )
    reading.stats_reset = reader.attempt(
        "statistics reset time",
        lambda: reader.value(
            "SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()"
        ),
    )
    reading.tables = reader.attempt("tables", lambda: read_tables(reader)) or []
    reading.indexes = reader.attempt("indexes", lambda: read_indexes(reader)) or []
    if reader.attempt("Odoo detection", lambda: is_odoo(reader)):
        reading.odoo = read_odoo(reader, signals_since)
    return reading
