"""`collect_postgres`: one server's databases into a `Collected`.

Which databases: those named (`databases`), else every database the role may
connect to, plus the catalog's tenant databases that exist on the server but
refuse the role (reported missing, since they are ones Costplane should see).
A database that vanishes between the listing and the visit was dropped: it is
skipped, not missed. The server itself unreachable, or refusing the DSN's own
database, is a `ServiceUnavailableError` naming the masked DSN.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import psycopg

from costplane.errors import ServiceUnavailableError
from costplane.sources.collector import Collected
from costplane.sources.postgres.connection import (
    Dsn,
    RefusedError,
    Timeouts,
    connect,
    reason,
)
from costplane.sources.postgres.database import read_database
from costplane.sources.postgres.growth import Snapshot, growth
from costplane.sources.postgres.model import DatabaseReading
from costplane.sources.postgres.reading import Reader
from costplane.sources.postgres.rows import SOURCE, database_loads
from costplane.sources.postgres.server import ServerDatabase, server_databases
from costplane.sources.postgres.summary import summary
from costplane.warehouse import Load


@dataclass(frozen=True)
class PostgresRequest:
    dsn: Dsn
    signals_since: dt.date
    server: str | None = None
    databases: tuple[str, ...] = ()  # empty: every database the role may connect to
    tenants: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # db -> tenant, env
    timeouts: Timeouts = field(default_factory=Timeouts)


Previous = Callable[[str], Mapping[str, Snapshot]]
"""Server name -> each database's previous snapshot (read from the warehouse)."""


def collect_postgres(request: PostgresRequest, previous: Previous) -> Collected:
    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    server, listed = _list(request)
    missing: list[str] = []
    before = previous(server)
    readings: list[DatabaseReading] = []
    loads: list[Load] = []
    for target, requested in targets(request, listed, missing):
        reading = _visit(request, target, requested, missing)
        if reading is None:
            continue
        reading.growth = growth(before.get(reading.name), reading.size_bytes, taken_at)
        readings.append(reading)
        loads += database_loads(server, taken_at, reading)
    document = {
        **summary(server, readings),
        "taken_at": taken_at,
        "signals_since": request.signals_since,
    }
    return Collected(SOURCE, request.dsn.shown, loads, document, tuple(missing))


def targets(
    request: PostgresRequest, listed: Mapping[str, ServerDatabase], missing: list[str]
) -> list[tuple[ServerDatabase, bool]]:
    """(database, whether it was asked for by name) in name order."""
    if request.databases:
        chosen = []
        for name in sorted(set(request.databases)):
            if name in listed:
                chosen.append((listed[name], True))
            else:
                missing.append(f"database {name}: does not exist on the server")
        return chosen
    return [
        (db, db.name in request.tenants)
        for db in listed.values()
        if db.connectable or db.name in request.tenants
    ]


def _visit(
    request: PostgresRequest, target: ServerDatabase, requested: bool, missing: list[str]
) -> DatabaseReading | None:
    name = target.name
    try:
        session = connect(request.dsn, name, request.timeouts)
    except RefusedError as refusal:
        if requested or "does not exist" not in str(refusal):
            missing.append(f"database {name}: {refusal}")
        return None
    except ServiceUnavailableError as error:
        missing.append(f"database {name}: {error}")
        return None
    with session:
        reader = Reader(session, name, missing)
        try:
            return read_database(
                reader, target.activity, request.tenants.get(name), request.signals_since
            )
        except psycopg.Error as error:
            missing.append(f"database {name}: reading stopped ({reason(request.dsn, error)})")
            return None


def _list(request: PostgresRequest) -> tuple[str, dict[str, ServerDatabase]]:
    """The server's name and databases, through the DSN's own database: when that fails,
    the DSN itself does not work and nothing can be read."""
    dsn = request.dsn
    try:
        with connect(dsn, None, request.timeouts) as session:
            server = request.server or f"{session.info.host}:{session.info.port}"
            return server, {d.name: d for d in server_databases(session)}
    except RefusedError as refusal:
        raise ServiceUnavailableError(f"PostgreSQL {dsn.shown}: {refusal}") from None
    except psycopg.Error as error:
        raise ServiceUnavailableError(
            f"PostgreSQL {dsn.shown}: cannot list the databases ({reason(dsn, error)})"
        ) from None
