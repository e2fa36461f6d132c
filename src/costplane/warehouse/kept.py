"""Replaced loads are kept, not deleted, so that a bad reload can be undone.

When a load replaces another, the earlier load's rows move from its fact table
to `replaced_<table>` and its registry entry from `loads` to `replaced_loads`,
in the same transaction. Readers see only the fact tables, so a kept load is
never counted. Restoring moves a kept load back under a new `load_id` and keeps
the load it replaces in turn: a restore is undone the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import ibis

from costplane.warehouse.load import LoadRecord, ReplacedLoad
from costplane.warehouse.registry import COLUMNS, REPLACED, TABLE, record_of
from costplane.warehouse.sql import Session, quoted
from costplane.warehouse.tables import REPLACED_LOADS, FactTable, replaced_table

_KEPT_COLUMNS = ", ".join(quoted(name) for name in REPLACED_LOADS.names)


def replaced_of(row: Sequence[Any]) -> ReplacedLoad:
    *record, replaced_by, replaced_at = row
    return ReplacedLoad(record_of(record), int(replaced_by), replaced_at)


def keep(session: Session, record: LoadRecord, table: FactTable, replaced_by: int) -> int:
    """Move a replaced load's rows and registry entry aside; return how many rows moved."""
    columns = ", ".join(quoted(name) for name in table.stored_schema.names)
    session.count(
        f"INSERT INTO {quoted(replaced_table(table.name))} ({columns}) "
        f'SELECT {columns} FROM {quoted(table.name)} WHERE "load_id" = $1',
        [record.load_id],
    )
    moved = session.count(
        f'DELETE FROM {quoted(table.name)} WHERE "load_id" = $1', [record.load_id]
    )
    session.count(
        f'INSERT INTO "{REPLACED}" ({_KEPT_COLUMNS}) SELECT {COLUMNS}, $2, $3 '
        f'FROM "{TABLE}" WHERE "load_id" = $1',
        [record.load_id, replaced_by, datetime.now(UTC).replace(tzinfo=None)],
    )
    session.count(f'DELETE FROM "{TABLE}" WHERE "load_id" = $1', [record.load_id])
    return moved


def kept_load(session: Session, load_id: int) -> ReplacedLoad | None:
    query = f'SELECT {_KEPT_COLUMNS} FROM "{REPLACED}" WHERE "load_id" = $1'
    found = session.rows(query, [load_id])
    return replaced_of(found[0]) if found else None


def bring_back(session: Session, kept: ReplacedLoad, table: FactTable, load_id: int) -> int:
    """Move a kept load's rows back into its fact table as load `load_id`; return how many.

    Its registry entry is dropped from `replaced_loads`; the caller registers the new load.
    """
    declared = ", ".join(quoted(name) for name in table.schema.names)
    kept_rows = quoted(replaced_table(table.name))
    restored = session.count(
        f'INSERT INTO {quoted(table.name)} ("load_id", {declared}) '
        f'SELECT CAST($1 AS BIGINT), {declared} FROM {kept_rows} WHERE "load_id" = $2',
        [load_id, kept.load_id],
    )
    session.count(f'DELETE FROM {kept_rows} WHERE "load_id" = $1', [kept.load_id])
    session.count(f'DELETE FROM "{REPLACED}" WHERE "load_id" = $1', [kept.load_id])
    return restored


def read_kept(replaced: ibis.Table) -> list[ReplacedLoad]:
    """Every kept load, oldest first."""
    ordered = replaced.select(*REPLACED_LOADS.names).order_by("load_id")
    return [replaced_of(tuple(row.values())) for row in ordered.to_pyarrow().to_pylist()]
