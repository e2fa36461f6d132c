"""The `loads` registry: which load wrote which rows, so that a re-load replaces them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import ibis

from costplane.warehouse.load import Load, LoadRecord
from costplane.warehouse.sql import Session, quoted
from costplane.warehouse.tables import LOADS

TABLE = "loads"
REPLACED = "replaced_loads"
COLUMNS = ", ".join(quoted(name) for name in LOADS.names)


def record_of(row: Sequence[Any]) -> LoadRecord:
    load_id, table, source, scope, start, end, rows, loaded_at, replaced, restored = row[:10]
    return LoadRecord(
        int(load_id),
        table,
        source,
        scope,
        start,
        end,
        int(rows),
        loaded_at,
        None if replaced is None else int(replaced),
        None if restored is None else int(restored),
    )


def same_scope(session: Session, load: Load | LoadRecord) -> list[LoadRecord]:
    """Loads of the load's table, source and scope whose period meets its own."""
    found = session.rows(
        f'SELECT {COLUMNS} FROM "{TABLE}" WHERE "table_name" = $1 AND "source" = $2 '
        'AND "scope" = $3 AND "period_start" <= $4 AND "period_end" >= $5 ORDER BY "load_id"',
        [load.table, load.source, load.scope, load.period_end, load.period_start],
    )
    return [record_of(row) for row in found]


def same_key(session: Session, load: Load | LoadRecord) -> LoadRecord | None:
    """The registered load a load with this key would replace, if any."""
    return of_period(same_scope(session, load), load)


def of_period(records: list[LoadRecord], load: Load | LoadRecord) -> LoadRecord | None:
    """The record among `records` (of the load's scope) covering exactly its period."""
    period = (load.period_start, load.period_end)
    return next((r for r in records if (r.period_start, r.period_end) == period), None)


def registered(session: Session, load_id: int) -> LoadRecord | None:
    """The current load with this id, if any."""
    found = session.rows(f'SELECT {COLUMNS} FROM "{TABLE}" WHERE "load_id" = $1', [load_id])
    return record_of(found[0]) if found else None


def restored_as(session: Session, load_id: int) -> int | None:
    """The load, current or kept, that a restore of `load_id` became, if any."""
    found = session.rows(
        f'SELECT "load_id" FROM "{TABLE}" WHERE "restored_from" = $1 UNION ALL '
        f'SELECT "load_id" FROM "{REPLACED}" WHERE "restored_from" = $1',
        [load_id],
    )
    return int(found[0][0]) if found else None


def next_load_id(session: Session) -> int:
    """One more than the highest load_id, kept loads included: allocated under the lock."""
    ((highest,),) = session.rows(
        f'SELECT max("load_id") FROM (SELECT "load_id" FROM "{TABLE}" '
        f'UNION ALL SELECT "load_id" FROM "{REPLACED}") AS ids'
    )
    return 1 if highest is None else int(highest) + 1


def write_record(
    session: Session,
    load: Load | LoadRecord,
    load_id: int,
    rows: int,
    *,
    replaced: int | None,
    restored_from: int | None = None,
) -> None:
    """Register the load; the load it replaces, if any, has already been kept (`kept.py`)."""
    session.count(
        f'INSERT INTO "{TABLE}" ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        [
            load_id,
            load.table,
            load.source,
            load.scope,
            load.period_start,
            load.period_end,
            rows,
            datetime.now(UTC).replace(tzinfo=None),
            replaced,
            restored_from,
        ],
    )


def read_records(loads: ibis.Table) -> list[LoadRecord]:
    """Every registered load in the `loads` table, oldest first."""
    ordered = loads.select(*LOADS.names).order_by("load_id")
    return [record_of(tuple(row.values())) for row in ordered.to_pyarrow().to_pylist()]
