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
_COLUMNS = ", ".join(quoted(name) for name in LOADS.names)


def record_of(row: Sequence[Any]) -> LoadRecord:
    load_id, table, source, scope, start, end, rows, loaded_at = row
    return LoadRecord(int(load_id), table, source, scope, start, end, int(rows), loaded_at)


def same_scope(session: Session, load: Load) -> list[LoadRecord]:
    """Earlier loads of the load's table, source and scope whose period meets its own."""
    found = session.rows(
        f'SELECT {_COLUMNS} FROM "{TABLE}" WHERE "table_name" = $1 AND "source" = $2 '
        'AND "scope" = $3 AND "period_start" <= $4 AND "period_end" >= $5 ORDER BY "load_id"',
        [load.table, load.source, load.scope, load.period_end, load.period_start],
    )
    return [record_of(row) for row in found]


def next_load_id(session: Session) -> int:
    """One more than the highest load_id: allocated under the registry lock."""
    ((highest,),) = session.rows(f'SELECT max("load_id") FROM "{TABLE}"')
    return 1 if highest is None else int(highest) + 1


def write_record(
    session: Session, load: Load, load_id: int, rows: int, replaced: int | None
) -> None:
    """Register the load, taking the place of the load it replaced, if any."""
    if replaced is not None:
        session.count(f'DELETE FROM "{TABLE}" WHERE "load_id" = $1', [replaced])
    session.count(
        f'INSERT INTO "{TABLE}" ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
        [
            load_id,
            load.table,
            load.source,
            load.scope,
            load.period_start,
            load.period_end,
            rows,
            datetime.now(UTC).replace(tzinfo=None),
        ],
    )


def read_records(loads: ibis.Table) -> list[LoadRecord]:
    """Every registered load in the `loads` table, oldest first."""
    ordered = loads.select(*LOADS.names).order_by("load_id")
    return [record_of(tuple(row.values())) for row in ordered.to_pyarrow().to_pylist()]
