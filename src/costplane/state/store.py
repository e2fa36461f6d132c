"""Opening the state store and bringing its schema up to date.

SQLite in `.costplane/state.db` by default; PostgreSQL by URL. The schema is
owned by Alembic: `costplane db upgrade` runs the migrations, and opening a
store whose schema is behind the code is an error that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session

from costplane.errors import ExecutionError, InputError, ServiceUnavailableError
from costplane.masked_url import masked_url

MIGRATIONS = Path(__file__).parent / "migrations"


def state_engine(url: str) -> Engine:
    """An engine for a SQLite or PostgreSQL URL (`postgresql://` uses psycopg 3)."""
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InputError(f"state URL {masked_url(url)!r} is not a database URL") from exc
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise InputError(f"state URL {masked_url(url)!r}: use sqlite:/// or postgresql://")
    return parsed


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.close()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@cache
def head_revision() -> str:
    """The newest migration this version of Costplane ships (read once: the scripts ship
    with the code, and reading them costs ~5 ms, on every `open_session`)."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with _connected(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run migrations up to `revision`; returns (before, after) revisions."""
    return _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> tuple[str | None, str | None]:
    """Undo migrations down to `revision` ("base" empties the store)."""
    return _migrate(engine, command.downgrade, revision)


def _migrate(
    engine: Engine, step: Callable[[Config, str], None], revision: str
) -> tuple[str | None, str | None]:
    before = current_revision(engine)
    config = _alembic_config()
    with _connected(engine) as connection, connection.begin():
        config.attributes["connection"] = connection
        step(config, revision)
    return before, current_revision(engine)


def open_session(engine: Engine) -> Session:
    """A session on a store whose schema is current; otherwise say how to fix it."""
    revision = current_revision(engine)
    if revision != head_revision():
        state = "empty" if revision is None else f"at revision {revision}"
        raise ExecutionError(
            f"the state store {_shown(engine)} is {state}; "
            f"run `costplane db upgrade` (needs {head_revision()})"
        )
    return Session(engine)


def _connected(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise ServiceUnavailableError(
            f"cannot reach the state store {_shown(engine)}: {reason}"
        ) from exc


def _shown(engine: Engine) -> str:
    """The store's URL as the user wrote it (no driver suffix), password masked."""
    url = engine.url.set(drivername=engine.url.get_backend_name())
    return url.render_as_string(hide_password=True)


def table_names(engine: Engine) -> Sequence[str]:
    with _connected(engine) as connection:
        return sorted(inspect(connection).get_table_names())
