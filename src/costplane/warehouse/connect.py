"""Open the warehouse a URL names: a DuckDB file (or memory) or a PostgreSQL database.

Both are Ibis backends, so everything that reads the warehouse, and the
allocation expressions built on it, is written once for every engine.
"""

from __future__ import annotations

import datetime as dt
import pathlib
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any

import duckdb
import ibis
import psycopg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from costplane.errors import InputError, ServiceUnavailableError
from costplane.masked_url import masked_url
from costplane.warehouse import kept, registry, schema
from costplane.warehouse.ingest import first_line, ingest, restore
from costplane.warehouse.load import Load, LoadRecord, LoadResult, ReplacedLoad
from costplane.warehouse.sql import Engine, quoted
from costplane.warehouse.tables import DERIVED_TABLES, FACT_TABLES, FactTable
from costplane.warehouse.transaction import write_transaction

POSTGRES_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+psycopg"})
CONNECT_TIMEOUT_SECONDS = 10
DUCKDB_SETTINGS = frozenset({"memory_limit", "threads", "temp_directory"})
DEFAULT_MEMORY_LIMIT = "2GB"


class Warehouse:
    """An open warehouse: Ibis for reading, one transactional `ingest` for writing."""

    def __init__(
        self,
        backend: ibis.BaseBackend,
        engine: Engine,
        url: str,
        tables: Mapping[str, FactTable] = FACT_TABLES,
    ) -> None:
        self.ibis = backend
        self.engine: Engine = engine
        self.url = masked_url(url)
        self.tables = dict(tables)
        self._schema_ensured = False

    def __repr__(self) -> str:
        return f"Warehouse({self.url!r})"

    def table(self, name: str) -> ibis.Table:
        """A fact table (or `loads`, `replaced_loads`) as an Ibis table expression."""
        registries = (registry.TABLE, registry.REPLACED)
        if name not in self.tables and name not in DERIVED_TABLES and name not in registries:
            known = ", ".join(sorted([*self.tables, *DERIVED_TABLES, *registries]))
            raise InputError(f"unknown warehouse table {name!r}; known: {known}")
        return self.ibis.table(name)

    def ensure_schema(self) -> list[str]:
        """Create missing tables and add missing columns; return the changes made."""
        with write_transaction(self.engine, self.ibis.con) as session:
            changes = schema.ensure_schema(session, self.tables, self.engine)
        self._schema_ensured = True
        return changes

    def ingest(self, loads: Sequence[Load], *, allow_shrink: bool = False) -> list[LoadResult]:
        """Write the loads in one transaction, each replacing an earlier load with its key.

        A load that would replace one with materially less (`shrink.SHRINK_LIMIT`) raises
        `LoadShrankError` and nothing is written, unless `allow_shrink`. Replaced loads are
        kept (`replaced_loads()`, `restore`). Ensures the schema first (once per
        connection), so a fresh warehouse needs no setup.
        """
        if not self._schema_ensured:
            self.ensure_schema()
        return ingest(self.ibis.con, self.engine, self.tables, loads, allow_shrink=allow_shrink)

    def restore(self, load_id: int) -> LoadResult:
        """Bring a replaced load back as a new load; the load it replaces is kept in turn."""
        if not self._schema_ensured:
            self.ensure_schema()
        return restore(self.ibis.con, self.engine, self.tables, load_id)

    def replaced_loads(self) -> list[ReplacedLoad]:
        """The loads a later load replaced, kept and restorable, oldest first."""
        return kept.read_kept(self.table(registry.REPLACED))

    def replace_days(self, name: str, start: dt.date, end: dt.date, rows: ibis.Table) -> int:
        """Replace a derived table's days in [start, end) by `rows`, in one transaction.

        `rows` is an Ibis expression on this warehouse; it is compiled to the
        engine's SQL and inserted by `INSERT ... SELECT`, so nothing large leaves
        the engine. Returns the number of rows written.
        """
        table = DERIVED_TABLES[name]
        if not self._schema_ensured:
            self.ensure_schema()
        columns = ", ".join(quoted(c) for c in table.schema.names)
        select = str(self.ibis.compile(rows.select(*table.schema.names)))
        day = quoted(table.day_column)
        with write_transaction(self.engine, self.ibis.con) as session:
            session.count(
                f"DELETE FROM {quoted(name)} WHERE {day} >= $1 AND {day} < $2", [start, end]
            )
            return session.count(f"INSERT INTO {quoted(name)} ({columns}) {select}")

    def loads(self) -> list[LoadRecord]:
        """The load registry, oldest load first."""
        return registry.read_records(self.table(registry.TABLE))

    def close(self) -> None:
        self.ibis.disconnect()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def parsed(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        raise InputError(f"not a warehouse URL: {masked_url(url)}") from None


def duckdb_database(url: URL) -> str:
    """The DuckDB file a URL names (relative to the working directory), or `:memory:`."""
    if not url.database:
        raise InputError(
            f"{url.render_as_string(hide_password=True)} names no database file; "
            "use duckdb:///path.duckdb, or duckdb:///:memory: for a scratch warehouse"
        )
    return url.database


def postgres_params(url: URL) -> dict[str, Any]:
    """Keyword arguments for `ibis.postgres.connect`; URL query items pass through to libpq."""
    params: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    for key, value in url.query.items():
        params[key] = value if isinstance(value, str) else value[-1]
    named = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "password": url.password,
        "database": url.database,
    }
    params.update({key: value for key, value in named.items() if value is not None})
    return params


def duckdb_settings(url: URL, database: str) -> dict[str, str]:
    """DuckDB settings from the URL's query (`?memory_limit=8GB&threads=4`), with defaults.

    A file warehouse is capped at DEFAULT_MEMORY_LIMIT unless the URL says otherwise:
    DuckDB's own default is 80 % of RAM, and a cost tool sharing a machine should not
    take that; over the cap DuckDB spills to `<file>.tmp`, at little cost in time
    (docs/scaling.md). An in-memory warehouse has nowhere to spill, so it keeps DuckDB's.
    """
    settings = {
        key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()
    }
    unknown = sorted(set(settings) - DUCKDB_SETTINGS)
    if unknown:
        raise InputError(
            f"{url.render_as_string(hide_password=True)}: unknown DuckDB setting "
            f"{unknown[0]!r}; known: {', '.join(sorted(DUCKDB_SETTINGS))}"
        )
    if database != ":memory:":
        settings.setdefault("memory_limit", DEFAULT_MEMORY_LIMIT)
    return settings


def connect_duckdb(url: URL, tables: Mapping[str, FactTable]) -> Warehouse:
    database = duckdb_database(url)
    shown = url.render_as_string(hide_password=True)
    settings = duckdb_settings(url, database)
    if database != ":memory:":
        pathlib.Path(database).parent.mkdir(parents=True, exist_ok=True)
    try:
        backend = ibis.duckdb.connect(database)
        # A library must not draw on the terminal; the CLI shows its own progress.
        backend.con.execute("SET enable_progress_bar = false")
        for name, value in settings.items():
            backend.con.execute(f"SET {name} = ?", [value])
    except duckdb.Error as exc:
        raise ServiceUnavailableError(
            f"cannot open the DuckDB warehouse {shown}: {first_line(exc)}"
        ) from None
    return Warehouse(backend, "duckdb", shown, tables)


def connect_postgres(url: URL, tables: Mapping[str, FactTable]) -> Warehouse:
    shown = url.render_as_string(hide_password=True)
    try:
        backend = ibis.postgres.connect(**postgres_params(url))
    except psycopg.Error as exc:
        reason = first_line(exc)
        if url.password:
            reason = reason.replace(url.password, "***")
        raise ServiceUnavailableError(
            f"cannot reach the PostgreSQL warehouse at {shown}: {reason}"
        ) from None
    return Warehouse(backend, "postgres", shown, tables)


def connect_warehouse(url: str, *, tables: Mapping[str, FactTable] = FACT_TABLES) -> Warehouse:
    """Open the warehouse at `url` (duckdb:///file, duckdb:///:memory:, postgresql://...).

    `tables` is the declaration to use; other releases' declarations let tests
    and migrations exercise schema evolution.
    """
    target = parsed(url)
    scheme = target.drivername
    if scheme == "duckdb":
        return connect_duckdb(target, tables)
    if scheme in POSTGRES_SCHEMES:
        return connect_postgres(target, tables)
    raise InputError(
        f"unsupported warehouse URL scheme {scheme!r} in {masked_url(url)}; "
        "use duckdb:///path.duckdb or postgresql://user@host:port/database"
    )
