"""The privileges the PostgreSQL collector needs, as the statements that grant them.

On the server: membership of `pg_read_all_stats` (every session's state in
`pg_stat_activity`) and CONNECT on each database. Sizes, row estimates, index
scans and the catalogue need nothing more. In an Odoo database, the Odoo figures
read a few columns of a few tables; granting exactly those columns keeps names,
addresses, message bodies and attachment contents out of the role's reach.
docs/sources/postgres.md prints these statements; a test runs them.
"""

from __future__ import annotations

from psycopg import sql

ODOO_COLUMNS: dict[str, tuple[str, ...]] = {
    "ir_module_module": ("name", "state", "author", "license", "latest_version"),
    "ir_attachment": ("res_model", "type", "file_size", "checksum", "store_fname"),
    "stock_move": ("id", "create_date"),
    "stock_move_line": ("id", "create_date"),
    "account_move_line": ("id", "create_date"),
    "mail_message": ("id", "create_date"),
    "mail_tracking_value": ("id", "create_date"),
    "mail_followers": ("id",),
    "bus_bus": ("id", "create_date"),
    "ir_logging": ("id", "create_date"),
    "mail_mail": ("id", "state", "create_date"),
    "sale_order": ("state", "date_order"),
    "stock_picking": ("state", "date_done"),
    "account_move": ("state", "move_type", "invoice_date"),
    "queue_job": ("id", "state", "create_date"),
}
"""Table -> the columns the Odoo part reads (queue_job only where OCA's queue_job is installed).
ir_attachment.db_datas is left out on purpose: its size is derived from file_size."""


def server_grants(role: str, databases: list[str]) -> list[str]:
    """Run once on the server, as a superuser or the databases' owner."""
    statements = [f"GRANT pg_read_all_stats TO {_ident(role)};"]
    statements += [f"GRANT CONNECT ON DATABASE {_ident(db)} TO {_ident(role)};" for db in databases]
    return statements


def odoo_grants(role: str, tables: list[str] | None = None) -> list[str]:
    """Run in each Odoo database; `tables` limits them to the tables that exist there."""
    wanted = [t for t in ODOO_COLUMNS if tables is None or t in tables]
    return [
        f"GRANT SELECT ({', '.join(ODOO_COLUMNS[t])}) ON {t} TO {_ident(role)};" for t in wanted
    ]


def _ident(name: str) -> str:
    """A role or database name quoted only when it needs to be, as people write SQL."""
    if name.isidentifier() and name.islower() and name.isascii():
        return name
    return sql.Identifier(name).as_string(None)
