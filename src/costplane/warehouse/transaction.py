"""One write transaction on each engine's native connection, and its bulk insert.

Ibis reads; writes go through the driver underneath it (`backend.con`) because
a load must be one transaction with a bulk path: DuckDB inserts straight from
the Arrow table or Parquet file (`INSERT ... SELECT`), PostgreSQL receives the
rows by `COPY ... FROM STDIN`, streamed a batch at a time.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg.copy import QueuedLibpqWriter

from costplane.errors import ExecutionError
from costplane.warehouse.load import Load, data_schema
from costplane.warehouse.registry import TABLE as LOADS_TABLE
from costplane.warehouse.sql import Engine, Session, quoted
from costplane.warehouse.staging import Staging, cast_select, register, source_sql, unregister
from costplane.warehouse.tables import FactTable

COPY_BATCH_ROWS = 65_536
"""Rows per Arrow batch sent to PostgreSQL: bounds the memory a load holds at once."""


class Writer(Session, Protocol):
    """A Session that can also serialise writers and bulk-insert a load."""

    def lock_registry(self) -> None:
        """Make concurrent ingests wait for this one, so load_ids stay unique."""
        ...

    def insert(self, load: Load, table: FactTable, load_id: int) -> int:
        """Write the load's rows, cast to the declared columns; return how many."""
        ...


def insert_columns(table: FactTable) -> str:
    return ", ".join(quoted(name) for name in table.stored_schema.names)


class DuckDBWriter:
    """A transaction on a DuckDB connection; the file lock already admits one writer."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql, list(params)).fetchall())

    def count(self, sql: str, params: Sequence[object] = ()) -> int:
        row = self.con.execute(sql, list(params)).fetchone()
        return 0 if row is None else int(row[0])

    def lock_registry(self) -> None:
        """Nothing to do: DuckDB refuses a second writing process and a conflicting commit."""

    def insert(self, load: Load, table: FactTable, load_id: int) -> int:
        select = cast_select(table, data_schema(load.data), source_sql(load.data))
        return self.count(
            f"INSERT INTO {quoted(table.name)} ({insert_columns(table)}) {select}", [load_id]
        )


class PostgresWriter:
    """A transaction on a psycopg connection; rows arrive by COPY from a DuckDB staging."""

    def __init__(self, con: psycopg.Connection[Any], staging: Staging | None) -> None:
        self.con = con
        self.staging = staging

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        with psycopg.RawCursor(self.con) as cursor:
            cursor.execute(sql, list(params) or None)
            return list(cursor.fetchall())

    def count(self, sql: str, params: Sequence[object] = ()) -> int:
        with psycopg.RawCursor(self.con) as cursor:
            cursor.execute(sql, list(params) or None)
            return max(cursor.rowcount, 0)

    def lock_registry(self) -> None:
        """EXCLUSIVE blocks other writers of the registry until commit, never readers."""
        self.count(f"LOCK TABLE {quoted(LOADS_TABLE)} IN EXCLUSIVE MODE")

    def insert(self, load: Load, table: FactTable, load_id: int) -> int:
        if self.staging is None:
            raise RuntimeError("a PostgreSQL insert needs a staging DuckDB")
        batches = self.staging.batches(load, table, load_id, COPY_BATCH_ROWS)
        statement = f"COPY {quoted(table.name)} ({insert_columns(table)}) FROM STDIN (FORMAT csv)"
        with self.con.cursor() as cursor:
            # The queued writer sends on a worker thread while this one formats the next batch.
            with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
                for batch in batches:
                    copy.write(csv_bytes(batch))
            return max(cursor.rowcount, 0)


def csv_bytes(batch: pa.RecordBatch) -> memoryview:
    """A batch as PostgreSQL CSV: strings always quoted, so only an unquoted empty is NULL."""
    sink = pa.BufferOutputStream()
    pacsv.write_csv(batch, sink, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return memoryview(sink.getvalue())


@contextmanager
def write_transaction(
    engine: Engine,
    con: Any,
    staging: Staging | None = None,
    sources: Sequence[pa.Table | pathlib.Path] = (),
) -> Iterator[Writer]:
    """One transaction: committed if the block ends normally, rolled back otherwise."""
    if engine == "postgres":
        # Ibis connects in autocommit mode; transaction() still opens one real BEGIN...COMMIT.
        with con.transaction():
            yield PostgresWriter(con, staging)
        return
    for data in sources:  # views are catalog entries: register outside the transaction
        register(con, data)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            yield DuckDBWriter(con)
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    finally:
        for data in sources:
            unregister(con, data)


class SnapshotConflictError(ExecutionError):
    """Another writer changed rows this snapshot transaction writes; running it again works."""


@contextmanager
def snapshot_transaction(con: psycopg.Connection[Any]) -> Iterator[None]:
    """One REPEATABLE READ transaction on PostgreSQL: every statement inside (the writes'
    own transactions become savepoints) reads the snapshot the first one took."""
    previous = con.isolation_level
    con.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    try:
        with con.transaction():
            yield
    except psycopg.errors.SerializationFailure:
        raise SnapshotConflictError(
            "another process changed the same rows at the same time"
        ) from None
    finally:
        con.isolation_level = previous
