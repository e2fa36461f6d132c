"""PostgreSQL, read-only: sizes, rows, scans, bloat and connections per database, and what
an Odoo database holds (modules, attachments, busy tables, failures, business volume)."""

from costplane.sources.postgres.collect import PostgresRequest, collect_postgres
from costplane.sources.postgres.connection import Timeouts, parse_dsn
from costplane.sources.postgres.grants import odoo_grants, server_grants
from costplane.sources.postgres.growth import Snapshot, previous_sizes

__all__ = [
    "PostgresRequest",
    "Snapshot",
    "Timeouts",
    "collect_postgres",
    "odoo_grants",
    "parse_dsn",
    "previous_sizes",
    "server_grants",
]
