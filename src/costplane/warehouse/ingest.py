"""The one ingest path every source uses: a batch of loads, all or nothing.

Order of work, so that a bad load never leaves half a batch behind:
1. without a database: tables, columns and periods of every load (`load.checked`);
2. reading only the data: every row's time lies in its load's period (`Staging`);
3. one transaction: lock the registry, refuse a reload that would shrink the load
   it replaces (`shrink.py`), and per load refuse an overlap, keep the load with
   the same key aside (`kept.py`), insert the new rows, register it.
A value that cannot be cast fails step 3; the transaction rolls back and the
engine's error is replaced by one naming the column.
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import psycopg
import pyarrow as pa

from costplane.errors import CostplaneError, ExecutionError, IngestConflictError, InputError
from costplane.warehouse import kept, registry
from costplane.warehouse.load import (
    Load,
    LoadRecord,
    LoadResult,
    checked,
    overlapping,
    period_text,
    unique_keys,
)
from costplane.warehouse.shrink import refuse_shrinks
from costplane.warehouse.sql import Engine
from costplane.warehouse.staging import Staging
from costplane.warehouse.tables import FactTable
from costplane.warehouse.transaction import Writer, write_transaction


class _WriteRefusedError(Exception):
    """The engine refused a load's rows; explained once the transaction has rolled back."""

    def __init__(self, load: Load, cause: Exception) -> None:
        super().__init__(str(cause))
        self.load = load
        self.cause = cause


def first_line(error: BaseException) -> str:
    return next((line.strip() for line in str(error).splitlines() if line.strip()), repr(error))


def conflict(load: Load, earlier: LoadRecord) -> IngestConflictError:
    return IngestConflictError(
        f"{load.describe()} overlaps load {earlier.load_id}, which covers "
        f"{period_text(earlier)}; load exactly that period to replace it, "
        "or a period that does not overlap it"
    )


def write_load(writer: Writer, load: Load, table: FactTable) -> LoadResult:
    """Replace the load with the same key, if any, by this one; refuse an overlap.

    The replaced load is kept (`kept.py`), not deleted, so that it can be restored.
    """
    earlier = registry.same_scope(writer, load)
    for record in earlier:
        if overlapping(load, record):
            raise conflict(load, record)
    same = registry.of_period(earlier, load)
    load_id = registry.next_load_id(writer)
    replaced = 0 if same is None else kept.keep(writer, same, table, load_id)
    try:
        written = writer.insert(load, table, load_id)
    except (duckdb.Error, psycopg.DataError) as exc:
        raise _WriteRefusedError(load, exc) from exc
    registry.write_record(
        writer, load, load_id, written, replaced=None if same is None else same.load_id
    )
    return LoadResult.of(load, load_id, written, same, replaced)


def restore(con: Any, engine: Engine, tables: Mapping[str, FactTable], load_id: int) -> LoadResult:
    """Bring a kept load back under a new load_id, keeping the load it replaces in turn."""
    try:
        with write_transaction(engine, con) as writer:
            writer.lock_registry()
            found = kept.kept_load(writer, load_id)
            if found is None:
                raise not_kept(writer, load_id)
            record = found.record
            table = tables.get(record.table)
            if table is None:
                raise InputError(f"load {load_id} is of {record.table}, a table no longer declared")
            others = registry.same_scope(writer, record)
            current = registry.of_period(others, record)
            for other in others:
                if overlapping(record, other):
                    raise InputError(
                        f"load {load_id} ({record.describe()}) overlaps load {other.load_id}, "
                        f"which covers {period_text(other)}; it cannot be restored beside it"
                    )
            new_id = registry.next_load_id(writer)
            replaced = 0 if current is None else kept.keep(writer, current, table, new_id)
            restored = kept.bring_back(writer, found, table, new_id)
            registry.write_record(
                writer,
                record,
                new_id,
                restored,
                replaced=None if current is None else current.load_id,
                restored_from=load_id,
            )
    except (duckdb.Error, psycopg.Error) as exc:
        raise ExecutionError(f"restoring load {load_id} failed: {first_line(exc)}") from exc
    return LoadResult.of(record, new_id, restored, current, replaced, restored_from=load_id)


def not_kept(writer: Writer, load_id: int) -> InputError:
    """Why `load_id` cannot be restored: it is current, or no load had that id."""
    current = registry.registered(writer, load_id)
    if current is not None:
        return InputError(f"load {load_id} ({current.describe()}) is current: nothing to restore")
    later = registry.restored_as(writer, load_id)
    if later is not None:
        return InputError(f"load {load_id} was restored already, as load {later}")
    return InputError(
        f"no kept load {load_id}: `costplane ingest history` lists the replaced loads"
    )


def explained(failure: _WriteRefusedError, staging: Staging, table: FactTable) -> CostplaneError:
    """The engine's refusal as an error naming the column and value, when one is at fault."""
    found = staging.cast_error(failure.load, table)
    if found is not None:
        return found
    if isinstance(failure.cause, psycopg.DataError):
        return InputError(
            f"{failure.load.describe()}: PostgreSQL refused a value: {first_line(failure.cause)}"
        )
    return ExecutionError(f"writing {failure.load.describe()} failed: {first_line(failure.cause)}")


def distinct_sources(loads: Sequence[Load]) -> list[pa.Table | pathlib.Path]:
    """Each load's data once, even when two loads share one Arrow table."""
    seen: dict[int, pa.Table | pathlib.Path] = {}
    for load in loads:
        seen.setdefault(id(load.data), load.data)
    return list(seen.values())


def ingest(
    con: Any,
    engine: Engine,
    tables: Mapping[str, FactTable],
    loads: Sequence[Load],
    *,
    allow_shrink: bool = False,
) -> list[LoadResult]:
    """Write every load in one transaction, or none of them; see the module docstring."""
    batch = [checked(load, tables) for load in loads]
    unique_keys(batch)
    if not batch:
        return []
    with Staging() as staging:
        for data in distinct_sources(batch):
            staging.add(data)
        for load in batch:
            staging.check_period(load, tables[load.table])
        try:
            with write_transaction(engine, con, staging, distinct_sources(batch)) as writer:
                writer.lock_registry()
                if not allow_shrink:
                    refuse_shrinks(writer, staging, batch)
                return [write_load(writer, load, tables[load.table]) for load in batch]
        except _WriteRefusedError as failure:
            raise explained(failure, staging, tables[failure.load.table]) from None
        except (duckdb.Error, psycopg.Error) as exc:
            raise ExecutionError(
                f"ingest into the {engine} warehouse failed: {first_line(exc)}"
            ) from exc
