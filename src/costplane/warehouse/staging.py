"""A load's data, read and cast to its table's declared columns by DuckDB.

The same SQL casts the rows on every engine: DuckDB inserts it straight into
its warehouse, and for PostgreSQL an in-memory DuckDB streams it as Arrow
batches into COPY. So a value is accepted or refused the same way everywhere,
and a Parquet file is scanned in bulk, never row by row in Python.
"""

from __future__ import annotations

import pathlib
from datetime import date, datetime, time, timedelta

import duckdb
import ibis.expr.datatypes as dt
import pyarrow as pa
from ibis.backends.sql.datatypes import DuckDBType

from costplane.errors import InputError
from costplane.warehouse.load import Load, data_schema, period_text
from costplane.warehouse.sql import quoted
from costplane.warehouse.tables import FactTable


def source_sql(data: pa.Table | pathlib.Path) -> str:
    """The FROM clause reading a load's data: a registered Arrow view or `read_parquet`."""
    if isinstance(data, pa.Table):
        return quoted(arrow_view(data))
    literal = "'" + str(data).replace("'", "''") + "'"
    return f"read_parquet({literal})"


def arrow_view(data: pa.Table) -> str:
    """The name an Arrow table is registered under while it is loaded."""
    return f"costplane_load_{id(data):x}"


def register(con: duckdb.DuckDBPyConnection, data: pa.Table | pathlib.Path) -> None:
    """Make an Arrow table readable by `source_sql` on `con` (Parquet needs nothing)."""
    if isinstance(data, pa.Table):
        con.register(arrow_view(data), data)


def unregister(con: duckdb.DuckDBPyConnection, data: pa.Table | pathlib.Path) -> None:
    if isinstance(data, pa.Table):
        con.unregister(arrow_view(data))


def column_expr(name: str, dtype: dt.DataType, given: pa.DataType | None) -> str:
    """One declared column: the data's column cast to it, or NULL when the data lacks it.

    Nested Arrow values (structs, lists, maps) become JSON text, the warehouse's
    form for Kubernetes objects and tags. A float given for a decimal column is
    read through its shortest text, so 123456.789 stays 123456.789 instead of
    gaining the binary noise of 123456.789000000003637248.
    """
    sql_type = DuckDBType.to_string(dtype)
    if given is None:
        return f"CAST(NULL AS {sql_type})"
    if dtype.is_string() and pa.types.is_nested(given):
        return f"CAST(to_json({quoted(name)}) AS {sql_type})"
    if dtype.is_decimal() and pa.types.is_floating(given):
        return f"CAST(CAST({quoted(name)} AS VARCHAR) AS {sql_type})"
    return f"CAST({quoted(name)} AS {sql_type})"


def cast_select(table: FactTable, given: pa.Schema, source: str) -> str:
    """SELECT the stored columns (`load_id` from parameter $1, then the declared ones)."""
    types = dict(zip(given.names, given.types, strict=True))
    columns = ", ".join(
        f"{column_expr(name, dtype, types.get(name))} AS {quoted(name)}"
        for name, dtype in table.schema.items()
    )
    return f'SELECT CAST($1 AS BIGINT) AS "load_id", {columns} FROM {source}'


def period_bounds(load: Load, table: FactTable) -> tuple[datetime | date, datetime | date]:
    """The [low, high) bounds of the time column; high == low for an instant.

    A date column holds a day: it lies in the period when the day overlaps it,
    so a period ending at noon still holds that day's row.
    """
    if not table.schema[table.time_column].is_date():
        return load.period_start, load.period_end
    low = load.period_start.date()
    if load.is_instant:
        return low, low
    high = load.period_end.date()
    if load.period_end.time() != time(0):
        high += timedelta(days=1)
    return low, high


class Staging:
    """An in-memory DuckDB reading loads' data: checks it, explains cast failures, streams it."""

    def __init__(self) -> None:
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET python_enable_replacements = false")
        self.con.execute("SET enable_progress_bar = false")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, data: pa.Table | pathlib.Path) -> None:
        register(self.con, data)

    def check_period(self, load: Load, table: FactTable) -> None:
        """Refuse a load with a row whose time lies outside its period, naming the first."""
        column = table.time_column
        schema = data_schema(load.data)
        if column not in schema.names:
            raise InputError(f"{table.name}: the data lacks the time column {column!r}")
        sql_type = DuckDBType.to_string(table.schema[column])
        low, high = period_bounds(load, table)
        inside = "v = $1" if load.is_instant else "v >= $1 AND v < $2"
        params: list[object] = [low] if load.is_instant else [low, high]
        row = self.con.execute(
            f"SELECT raw, v FROM (SELECT CAST({quoted(column)} AS VARCHAR) AS raw, "
            f"TRY_CAST({quoted(column)} AS {sql_type}) AS v FROM {source_sql(load.data)}) "
            f"WHERE v IS NULL OR NOT ({inside}) LIMIT 1",
            params,
        ).fetchone()
        if row is None:
            return
        raw, value = row
        if raw is None:
            raise InputError(f"{table.name}: a row has no {column}")
        if value is None:
            raise InputError(
                f"{table.name}.{column}: cannot read {raw!r} as {table.schema[column]}"
            )
        raise InputError(
            f"{table.name}: {column} {raw} lies outside the load's period {period_text(load)}"
        )

    def cast_error(self, load: Load, table: FactTable) -> InputError | None:
        """The first value of the data that its declared column cannot hold, if any.

        Run only after a write failed, to turn the engine's error into one that
        names the column.
        """
        source = source_sql(load.data)
        given_schema = data_schema(load.data)
        for name, given in zip(given_schema.names, given_schema.types, strict=True):
            dtype = table.schema[name]
            if dtype.is_string() and pa.types.is_nested(given):
                continue
            sql_type = DuckDBType.to_string(dtype)
            column = quoted(name)
            row = self.con.execute(
                f"SELECT CAST({column} AS VARCHAR) FROM {source} WHERE {column} IS NOT NULL "
                f"AND TRY_CAST({column} AS {sql_type}) IS NULL LIMIT 1"
            ).fetchone()
            if row is not None:
                return InputError(f"{table.name}.{name}: cannot read {row[0]!r} as {dtype}")
        return None

    def batches(
        self, load: Load, table: FactTable, load_id: int, rows: int
    ) -> pa.RecordBatchReader:
        """The load's rows as stored, `rows` at a time, without holding them all in memory.

        `execute` streams; `sql(..., params=...)` would run the whole query into memory
        before the first batch (DuckDB 1.5 materialises a relation with parameters), which
        made COPY into PostgreSQL start only after seconds per million rows. The staging
        connection runs nothing else while the reader is read."""
        select = cast_select(table, data_schema(load.data), source_sql(load.data))
        return self.con.execute(select, [load_id]).to_arrow_reader(rows)
