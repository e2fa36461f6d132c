"""Open the warehouse a URL names: a DuckDB file (or memory) or a PostgreSQL database.

Both are Ibis backends, so everything that reads the warehouse, and the
allocation expressions built on it, is written once for every engine.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import duckdb
import ibis
import psycopg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from costplane.errors import ExecutionError, InputError, ServiceUnavailableError
from costplane.masked_url import masked_url
from costplane.warehouse import copy_instances, holders, kept, read_copy, registry, schema
from costplane.warehouse.ingest import first_line, ingest, restore
from costplane.warehouse.load import Load, LoadRecord, LoadResult, ReplacedLoad
from costplane.warehouse.sql import Engine, quoted
from costplane.warehouse.tables import DERIVED_TABLES, FACT_TABLES, FactTable
from costplane.warehouse.transaction import DuckDBWriter, snapshot_transaction, write_transaction

POSTGRES_SCHEMES = frozenset({"postgresql", "postgres", "postgresql+psycopg"})
CONNECT_TIMEOUT_SECONDS = 10
DUCKDB_SETTINGS = frozenset({"memory_limit", "threads", "temp_directory"})
DEFAULT_MEMORY_LIMIT = "2GB"
WAIT_VARIABLE = "COSTPLANE_WAREHOUSE_WAIT"
DEFAULT_WAIT_SECONDS = 60.0
"""How long a process waits for an embedded warehouse another process holds, then exits 1."""
POLL_SECONDS = 0.2
LOCK_CONFLICT = "Could not set lock on file"
SAME_PROCESS_CONFLICT = "different configuration than existing connections"


@dataclass(frozen=True)
class Access:
    """How a process opens an embedded (DuckDB) warehouse.

    DuckDB admits one writing process or many reading ones per file: readers open it
    read-only so they never exclude each other, or its read copy (`read_copy`) while a
    writer holds it or the copy is current; anyone else who finds the file taken waits
    up to `wait_seconds`. `on_wait` is told once what the process waits for, or that it
    reads the last written state while a writer writes.
    """

    read_only: bool = False
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    operation: str = "costplane"
    on_wait: Callable[[str], None] | None = None


def wait_seconds_from_environment() -> float:
    """COSTPLANE_WAREHOUSE_WAIT in seconds (0: do not wait), DEFAULT_WAIT_SECONDS if unset."""
    text = os.environ.get(WAIT_VARIABLE, "").strip()
    if not text:
        return DEFAULT_WAIT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 86_400:
        raise InputError(f"{WAIT_VARIABLE}={text[:40]!r}: not a number of seconds from 0 to 86400")
    return seconds


class Warehouse:
    """An open warehouse: Ibis for reading, one transactional `ingest` for writing."""

    def __init__(
        self,
        backend: ibis.BaseBackend,
        engine: Engine,
        url: str,
        tables: Mapping[str, FactTable] = FACT_TABLES,
        embedded: EmbeddedFile | None = None,
    ) -> None:
        self.ibis = backend
        self.engine: Engine = engine
        self.url = masked_url(url)
        self.tables = dict(tables)
        self.embedded = embedded
        self._schema_ensured = False

    @property
    def read_only(self) -> bool:
        """Whether this is an embedded warehouse opened for reading only."""
        return self.embedded is not None and self.embedded.read_only

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
        """Create missing tables and add missing columns; return the changes made.

        Opened read-only, a warehouse that lacks nothing is left as it is; one that lacks
        something (written by an older release) is reopened for writing just long enough.
        """
        if self.embedded is not None and self.embedded.read_only:
            existing = schema.existing_columns(DuckDBWriter(self.ibis.con))
            if not schema.schema_changes(existing, schema.stored_schemas(self.tables), "duckdb"):
                self._schema_ensured = True
                return []
            self.embedded.close(self.ibis)
            self.ibis = self.embedded.reopen(read_only=False)
            try:
                return self.ensure_schema()
            finally:
                self.embedded.close(self.ibis)
                self.ibis = self.embedded.reopen(read_only=True)
        with write_transaction(self.engine, self.ibis.con) as session:
            changes = schema.ensure_schema(session, self.tables, self.engine)
        self._schema_ensured = True
        return changes

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read and write inside sees one state of the warehouse, and commits as one.

        On PostgreSQL a REPEATABLE READ transaction: an ingest committed meanwhile is not
        seen, so an allocation never mixes old and new data (it may raise
        `SnapshotConflictError` if another writer changed the same rows; run it again).
        On DuckDB the file lock already keeps other writers out while this process writes.
        """
        if self.engine != "postgres":
            yield
            return
        with snapshot_transaction(self.ibis.con):
            yield

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
        if self.embedded is not None:
            self.embedded.close(self.ibis)
        else:
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


@dataclass
class EmbeddedFile:
    """The DuckDB file a warehouse opened: how, so it can be reopened, and its holder note.

    `opened` is the file actually open: the warehouse itself, or its read copy
    (`read_copy`) for a reader while that copy is current or a writer holds the file;
    `copy` is then which copy (`copy_instances`).
    """

    path: pathlib.Path
    settings: dict[str, str]
    shown: str
    access: Access
    read_only: bool = False
    note: pathlib.Path | None = None
    opened: pathlib.Path | None = None
    copy: copy_instances.Identity | None = None

    def reopen(self, *, read_only: bool) -> ibis.BaseBackend:
        """Open the file (or its read copy; waiting while another process holds the file)
        and note this process as a holder of the file when it opened the file itself."""
        backend, self.read_only, self.opened = open_duckdb_file(self, read_only=read_only)
        if self.opened == self.path:
            self.note = holders.announce(
                self.path, self.access.operation, writes=not self.read_only
            )
        return backend

    def close(self, backend: ibis.BaseBackend) -> None:
        """Let go of the file; a writer first checkpoints it and publishes the read copy."""
        try:
            if not self.read_only and self.opened == self.path:
                publish_read_copy(backend, self.path)
        finally:
            backend.disconnect()
            if self.copy is not None:
                copy_instances.release(read_copy.copy_of(self.path), self.copy)
                self.copy = None
            self.withdraw()

    def withdraw(self) -> None:
        if self.note is not None:
            holders.withdraw(self.note)
            self.note = None


def publish_read_copy(backend: ibis.BaseBackend, path: pathlib.Path) -> None:
    """Checkpoint and copy for readers; a failure leaves the old copy, which no longer
    matches the file, so readers read the file itself (waiting) rather than stale data."""
    try:
        backend.con.execute("CHECKPOINT")
        read_copy.publish(path)
    except (duckdb.Error, OSError):
        read_copy.copy_of(path).unlink(missing_ok=True)


def configured(backend: ibis.BaseBackend, settings: Mapping[str, str]) -> ibis.BaseBackend:
    # A library must not draw on the terminal; the CLI shows its own progress.
    backend.con.execute("SET enable_progress_bar = false")
    for name, value in settings.items():
        backend.con.execute(f"SET {name} = ?", [value])
    return backend


def open_duckdb_file(
    file: EmbeddedFile, *, read_only: bool
) -> tuple[ibis.BaseBackend, bool, pathlib.Path]:
    """The file opened, whether read-only, and which file: a reader takes the read copy
    while it is current or while a writer holds the file; otherwise this waits up to the
    access's bound while another process holds the file, then raises an ExecutionError
    naming that process (exit 1)."""
    if read_only and read_copy.current(file.path):
        return open_read_copy(file), True, read_copy.copy_of(file.path)
    access = file.access
    deadline = time.monotonic() + access.wait_seconds
    told = False
    while True:
        try:
            backend = configured(
                ibis.duckdb.connect(str(file.path), read_only=read_only), file.settings
            )
        except duckdb.Error as exc:
            message = str(exc)
            if read_only and SAME_PROCESS_CONFLICT in message:
                # This process already has the file open for writing: read through that
                # writer's database, as a reader (the writer publishes when it is done).
                return borrow_writers_file(file), True, file.path
            if LOCK_CONFLICT not in message:
                raise ServiceUnavailableError(
                    f"cannot open the DuckDB warehouse {file.shown}: {first_line(exc)}"
                ) from None
            pid = holders.lock_holder_pid(message)
            holder = holders.holder_of(file.path, pid)
            who = holder.describe() if holder else f"another process (pid {pid or 'unknown'})"
        else:
            if not read_only:
                publish_read_copy(backend, file.path)  # a writer killed before it published
            return backend, read_only, file.path
        if read_only and read_copy.available(file.path):
            if access.on_wait is not None:
                as_of = holders.local_time(read_copy.taken_at(file.path))
                access.on_wait(
                    f"{who} is writing {file.path}: reading it as last written, at {as_of}"
                )
            return open_read_copy(file), True, read_copy.copy_of(file.path)
        if time.monotonic() >= deadline:
            raise ExecutionError(
                f"the warehouse {file.path} is in use by {who}; gave up after "
                f"{access.wait_seconds:g} s (run again when it ends, or wait longer with "
                f"{WAIT_VARIABLE}=SECONDS)"
            )
        if not told and access.on_wait is not None:
            access.on_wait(
                f"waiting for {who} to finish with {file.path} "
                f"(up to {access.wait_seconds:g} s, {WAIT_VARIABLE})"
            )
            told = True
        time.sleep(min(POLL_SECONDS, max(deadline - time.monotonic(), 0.0)))


def borrow_writers_file(file: EmbeddedFile) -> ibis.BaseBackend:
    """A connection to the database this process already writes (DuckDB shares it)."""
    try:
        return configured(ibis.duckdb.connect(str(file.path)), file.settings)
    except duckdb.Error as exc:
        raise ServiceUnavailableError(
            f"cannot open the DuckDB warehouse {file.shown}: {first_line(exc)}"
        ) from None


def open_read_copy(file: EmbeddedFile) -> ibis.BaseBackend:
    """The copy as it is now, as an instance of its own (`copy_instances`, not DuckDB's
    instance per path, which would hand out a copy this process still holds)."""
    copy = read_copy.copy_of(file.path)
    try:
        connection, file.copy = copy_instances.connect(copy, file.settings)
    except (duckdb.Error, OSError) as exc:
        raise ServiceUnavailableError(
            f"cannot open the DuckDB warehouse's read copy {copy}: {first_line(exc)}"
        ) from None
    return configured(ibis.duckdb.from_connection(connection), {})


def connect_duckdb(url: URL, tables: Mapping[str, FactTable], access: Access) -> Warehouse:
    database = duckdb_database(url)
    shown = url.render_as_string(hide_password=True)
    settings = duckdb_settings(url, database)
    if database == ":memory:":
        try:
            backend = configured(ibis.duckdb.connect(database), settings)
        except duckdb.Error as exc:
            raise ServiceUnavailableError(
                f"cannot open the DuckDB warehouse {shown}: {first_line(exc)}"
            ) from None
        return Warehouse(backend, "duckdb", shown, tables)
    path = pathlib.Path(database)
    if not access.read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    file = EmbeddedFile(path, settings, shown, access)
    backend = file.reopen(read_only=access.read_only)
    return Warehouse(backend, "duckdb", shown, tables, file)


def remove_embedded(path: pathlib.Path) -> None:
    """Remove a DuckDB warehouse file with what lies beside it (its write-ahead log and its
    read copy), so that no reader ever takes an old copy for a new file."""
    for companion in (path, read_copy.write_ahead_log(path), read_copy.copy_of(path)):
        companion.unlink(missing_ok=True)


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


def connect_warehouse(
    url: str,
    *,
    tables: Mapping[str, FactTable] = FACT_TABLES,
    access: Access | None = None,
) -> Warehouse:
    """Open the warehouse at `url` (duckdb:///file, duckdb:///:memory:, postgresql://...).

    `tables` is the declaration to use; other releases' declarations let tests
    and migrations exercise schema evolution. `access` says how to open a DuckDB
    file (read-only, how long to wait for another process); by default for writing,
    waiting COSTPLANE_WAREHOUSE_WAIT seconds.
    """
    target = parsed(url)
    scheme = target.drivername
    if scheme == "duckdb":
        return connect_duckdb(
            target, tables, access or Access(wait_seconds=wait_seconds_from_environment())
        )
    if scheme in POSTGRES_SCHEMES:
        return connect_postgres(target, tables)
    raise InputError(
        f"unsupported warehouse URL scheme {scheme!r} in {masked_url(url)}; "
        "use duckdb:///path.duckdb or postgresql://user@host:port/database"
    )
