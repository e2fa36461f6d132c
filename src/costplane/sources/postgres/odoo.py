"""What an Odoo database holds that costs money: modules, attachments, busy tables, failures.

A database is Odoo's when it has the table `ir_module_module` (Odoo keeps
everything in the `public` schema). Everything here reads only the columns
named in `grants.py`, so a role with those column grants is enough.

Custom modules are the installed ones that do not ship with Odoo: a module
ships with Odoo when its technical name is one of Odoo 18.0's own
(`odoo_modules.STANDARD_MODULES`), or when its manifest says it is Odoo
Enterprise (author "Odoo S.A." and licence OEEL-1; Enterprise's code is not
public, so its names cannot be listed). The author field alone cannot decide:
Odoo's localisations carry their contributors' names, and a manifest without an
author defaults to "Odoo S.A.".
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from psycopg import sql

from costplane.sources.postgres.model import Attachments, Module, OdooReading
from costplane.sources.postgres.odoo_modules import STANDARD_MODULES
from costplane.sources.postgres.reading import Reader
from costplane.sources.postgres.signals import read_signals

COUNTED_TABLES = (
    "stock_move",
    "stock_move_line",
    "account_move_line",
    "mail_message",
    "mail_tracking_value",
    "mail_followers",
    "bus_bus",
    "ir_logging",
    "queue_job",
)
"""Tables that grow with business volume (or with neglect: bus_bus, ir_logging, queue_job)."""

INSTALLED_STATES = ("installed", "to upgrade", "to remove")


def is_odoo(reader: Reader) -> bool:
    return exists(reader, "ir_module_module")


def exists(reader: Reader, table: str) -> bool:
    return reader.value("SELECT to_regclass(%s) IS NOT NULL", [f"public.{table}"]) is True


def has_column(reader: Reader, table: str, column: str) -> bool:
    found = reader.value(
        "SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(%s) "
        "AND attname = %s AND NOT attisdropped",
        [f"public.{table}", column],
    )
    return bool(found)


def ships_with_odoo(name: str, author: str | None, license_: str | None) -> bool:
    enterprise = license_ == "OEEL-1" and (author or "").strip() == "Odoo S.A."
    return name in STANDARD_MODULES or enterprise


def read_odoo(reader: Reader, signals_since: dt.date) -> OdooReading:
    """Every Odoo figure the role may read; each part it may not is reported missing."""
    odoo = OdooReading()
    odoo.version = reader.attempt("Odoo version", lambda: _version(reader))
    odoo.modules = reader.attempt("Odoo modules (ir_module_module)", lambda: _modules(reader)) or []
    attachments = reader.attempt("Odoo attachments (ir_attachment)", lambda: _attachments(reader))
    if attachments is not None:
        odoo.attachments, odoo.attachment_store = attachments
    for table in COUNTED_TABLES:
        if exists(reader, table):
            counted = reader.attempt(f"rows of {table}", partial(_rows_by_month, reader, table))
            if counted is not None:
                odoo.table_rows[table], months = counted
                if months is not None:
                    odoo.rows_added[table] = months
    if exists(reader, "mail_mail"):
        odoo.failed_mail = reader.attempt(
            "failed mail (mail_mail)", lambda: _count_state(reader, "mail_mail", "exception")
        )
    if exists(reader, "queue_job"):
        odoo.failed_jobs = reader.attempt(
            "failed jobs (queue_job)", lambda: _count_state(reader, "queue_job", "failed")
        )
    odoo.signals = read_signals(reader, signals_since)
    return odoo


def _version(reader: Reader) -> str | None:
    found = reader.value("SELECT latest_version FROM ir_module_module WHERE name = 'base'")
    return None if found is None else str(found)


def _modules(reader: Reader) -> list[Module]:
    rows = reader.rows(
        "SELECT name, author, license FROM ir_module_module WHERE state = ANY(%s) ORDER BY name",
        [list(INSTALLED_STATES)],
    )
    return [
        Module(name, author, license_, not ships_with_odoo(name, author, license_))
        for name, author, license_ in rows
    ]


ATTACHMENTS = """
SELECT res_model, count(*), coalesce(sum(file_size), 0), {db_bytes}
FROM ir_attachment GROUP BY res_model
"""

FILES = """
SELECT res_model, max(file_size) AS size
FROM ir_attachment WHERE store_fname IS NOT NULL
GROUP BY res_model, coalesce(checksum, store_fname)
"""
"""One row per file the file store keeps for each model: it stores identical content once."""

DB_DATAS = "coalesce(sum(octet_length(db_datas)), 0)"
DB_DATAS_FROM_SIZE = (
    "coalesce(sum(file_size) FILTER (WHERE store_fname IS NULL AND type = 'binary'), 0)"
)
"""When the role may not read db_datas: Odoo writes file_size = len(data) for rows it
keeps in the database (no store_fname), so their sizes add up to the same bytes."""


def _attachments(reader: Reader) -> tuple[list[Attachments], Attachments]:
    readable = reader.value(
        "SELECT has_column_privilege('public.ir_attachment', 'db_datas', 'SELECT')"
    )
    db_bytes = DB_DATAS if readable else DB_DATAS_FROM_SIZE
    counted = reader.rows(ATTACHMENTS.format(db_bytes=db_bytes))
    physical = dict(reader.rows(f"SELECT res_model, sum(size) FROM ({FILES}) f GROUP BY res_model"))
    store_files = reader.value(
        "SELECT coalesce(sum(size), 0) FROM (SELECT max(file_size) AS size FROM ir_attachment "
        "WHERE store_fname IS NOT NULL GROUP BY coalesce(checksum, store_fname)) f"
    )
    per_model = [
        Attachments(model, int(count), int(logical), int(physical.get(model) or 0), int(in_db))
        for model, count, logical, in_db in counted
    ]
    per_model.sort(key=lambda a: (-a.logical_bytes, a.res_model or ""))
    store = Attachments(
        None,
        sum(a.count for a in per_model),
        sum(a.logical_bytes for a in per_model),
        int(store_files),
        sum(a.db_bytes for a in per_model),
    )
    return per_model, store


def _rows_by_month(reader: Reader, table: str) -> tuple[int, dict[str, int] | None]:
    """All rows, and rows by the month they were created (None without create_date): one scan."""
    name = sql.Identifier("public", table)
    if not has_column(reader, table, "create_date"):
        return int(reader.value(sql.SQL("SELECT count(*) FROM {}").format(name))), None
    query = sql.SQL(
        "SELECT to_char(date_trunc('month', create_date), 'YYYY-MM'), count(*) FROM {} GROUP BY 1"
    ).format(name)
    groups = reader.rows(query)
    months = {month: int(n) for month, n in groups if month is not None}
    return sum(int(n) for _, n in groups), months


def _count_state(reader: Reader, table: str, state: str) -> int:
    query = sql.SQL("SELECT count(*) FROM {} WHERE state = %s").format(
        sql.Identifier("public", table)
    )
    return int(reader.value(query, [state]))
