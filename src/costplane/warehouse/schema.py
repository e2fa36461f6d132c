"""The physical schema: the declared tables as DDL, created or extended in place.

Types come from Ibis's own type mappers, so the columns an engine stores are the
ones Ibis reads back as the declared types. Schema evolution only adds: a column
a newer release declares is added (NULL in older rows); nothing is dropped or
retyped.
"""

from __future__ import annotations

from collections.abc import Mapping

import ibis.expr.datatypes as dt
from ibis.backends.sql.datatypes import DuckDBType, PostgresType
from ibis.expr.schema import Schema

from costplane.warehouse.registry import REPLACED as REPLACED_TABLE
from costplane.warehouse.registry import TABLE as LOADS_TABLE
from costplane.warehouse.sql import Engine, Session, quoted
from costplane.warehouse.tables import (
    DERIVED_TABLES,
    LOADS,
    REPLACED_LOADS,
    FactTable,
    replaced_table,
)

REGISTRIES = (LOADS_TABLE, REPLACED_TABLE)


def sql_type(dtype: dt.DataType, engine: Engine) -> str:
    mapper = DuckDBType if engine == "duckdb" else PostgresType
    return str(mapper.to_string(dtype))


def stored_schemas(tables: Mapping[str, FactTable]) -> dict[str, Schema]:
    """Every table the warehouse stores, as stored: fact tables, registries, the rows of
    replaced loads (kept beside each fact table, same columns), derived tables."""
    return {
        LOADS_TABLE: LOADS,
        REPLACED_TABLE: REPLACED_LOADS,
        **{name: t.stored_schema for name, t in tables.items()},
        **{replaced_table(name): t.stored_schema for name, t in tables.items()},
        **{name: t.schema for name, t in DERIVED_TABLES.items()},
    }


def create_table_sql(name: str, schema: Schema, engine: Engine) -> str:
    columns = ", ".join(f"{quoted(c)} {sql_type(t, engine)}" for c, t in schema.items())
    key = ', PRIMARY KEY ("load_id")' if name in REGISTRIES else ""
    return f"CREATE TABLE IF NOT EXISTS {quoted(name)} ({columns}{key})"


def index_sql(name: str) -> list[str]:
    """PostgreSQL indexes: replacing a load deletes by load_id, conflicts look up the scope.

    DuckDB needs none: its min/max zone maps already skip the blocks of other loads.
    """
    if name == LOADS_TABLE:
        return [
            f'CREATE INDEX IF NOT EXISTS "loads_scope" ON {quoted(name)} '
            '("table_name", "source", "scope", "period_start")'
        ]
    if name == REPLACED_TABLE:
        return []
    if name in DERIVED_TABLES:
        day = DERIVED_TABLES[name].day_column
        index = quoted(f"{name}_{day}")
        return [f"CREATE INDEX IF NOT EXISTS {index} ON {quoted(name)} ({quoted(day)})"]
    return [f'CREATE INDEX IF NOT EXISTS {quoted(name + "_load_id")} ON {quoted(name)} ("load_id")']


def schema_changes(
    existing: Mapping[str, set[str]], wanted: Mapping[str, Schema], engine: Engine
) -> list[tuple[str, str | None]]:
    """(statement, what it does) for each table or column `existing` lacks.

    Indexes come with their table (None: not worth reporting), so a later run
    never asks for the lock an index check would take on a table being loaded.
    """
    changes: list[tuple[str, str | None]] = []
    for name, schema in wanted.items():
        have = existing.get(name)
        if have is None:
            changes.append((create_table_sql(name, schema, engine), f"created table {name}"))
            if engine == "postgres":
                changes += [(statement, None) for statement in index_sql(name)]
            continue
        for column, dtype in schema.items():
            if column not in have:
                statement = (
                    f"ALTER TABLE {quoted(name)} ADD COLUMN {quoted(column)} "
                    f"{sql_type(dtype, engine)}"
                )
                changes.append((statement, f"added column {column} ({dtype}) to {name}"))
    return changes


def existing_columns(session: Session) -> dict[str, set[str]]:
    """The column names of every table in the warehouse's current schema."""
    found: dict[str, set[str]] = {}
    for table, column in session.rows(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = current_schema()"
    ):
        found.setdefault(str(table), set()).add(str(column))
    return found


def ensure_schema(session: Session, tables: Mapping[str, FactTable], engine: Engine) -> list[str]:
    """Create the missing tables and columns; return what changed (nothing the second time)."""
    if engine == "postgres":  # two first runs at once must not both create a table
        session.rows("SELECT pg_advisory_xact_lock(hashtext('costplane.warehouse.schema'))")
    changes = schema_changes(existing_columns(session), stored_schemas(tables), engine)
    for statement, _ in changes:
        session.count(statement)
    return [change for _, change in changes if change is not None]
