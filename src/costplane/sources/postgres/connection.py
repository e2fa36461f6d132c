"""Connecting to PostgreSQL read-only, with timeouts, without ever showing the password.

Every session the collector opens is read-only (`default_transaction_read_only`),
gives up on a statement after the read timeout and on a lock after a few
seconds, so a collection can neither change a database nor queue behind a
migration. A server that does not answer is retried with backoff; a server that
answers "no" (bad password, no CONNECT privilege, no such database) is not:
retrying cannot change its mind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import TupleRow

from costplane.errors import InputError
from costplane.retries import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, with_retries

LOCK_TIMEOUT_MS = 5_000
APPLICATION_NAME = "costplane"

Session = psycopg.Connection[TupleRow]
"""A read-only autocommit session: each statement is its own transaction."""


class RefusedError(Exception):
    """The server answered and refused the connection (authentication, privilege, name)."""


@dataclass(frozen=True)
class Dsn:
    """A connection string, parsed once; `shown` is what messages may print."""

    text: str
    params: dict[str, str]

    @property
    def shown(self) -> str:
        """The DSN as a URL with the password replaced by ***."""
        user = self.params.get("user", "")
        secret = ":***" if self.params.get("password") else ""
        who = f"{user}{secret}@" if user or secret else ""
        host = self.params.get("host", "")
        port = f":{self.params['port']}" if self.params.get("port") else ""
        database = self.params.get("dbname", "")
        return _unkeyed(f"postgresql://{who}{host}{port}/{database}")

    def scrub(self, message: str) -> str:
        """`message` with the password (if any) and the raw DSN text replaced."""
        password = self.params.get("password")
        message = message.replace(self.text, self.shown)
        return _unkeyed(message.replace(password, "***") if password else message)

    def for_database(self, name: str) -> str:
        return make_conninfo(self.text, dbname=name)


def _unkeyed(text: str) -> str:
    """`text` with whatever follows a `password=` hidden: a keyword DSN missing a space
    (`host=db1password=...`) reads as one odd host name that would carry it."""
    return re.sub(r"(password=)\S*", r"\1***", text, flags=re.IGNORECASE)


def parse_dsn(text: str) -> Dsn:
    """A URL (`postgresql://...`) or keyword (`host=... dbname=...`) connection string."""
    try:
        return Dsn(text, {k: str(v) for k, v in conninfo_to_dict(text).items()})
    except psycopg.ProgrammingError:
        raise InputError(
            "--dsn: not a PostgreSQL connection string "
            "(expected postgresql://user@host:port/database or host=... dbname=...)"
        ) from None


@dataclass(frozen=True)
class Timeouts:
    connect_seconds: float = CONNECT_TIMEOUT_SECONDS
    statement_seconds: float = READ_TIMEOUT_SECONDS


def connect(dsn: Dsn, database: str | None, timeouts: Timeouts) -> Session:
    """A read-only autocommit session on `database` (the DSN's own when None), retried.

    Raises `RefusedError` when the server refuses, `ServiceUnavailableError` when it
    cannot be reached after the retries.
    """
    conninfo = dsn.text if database is None else dsn.for_database(database)
    options = (
        f"-c statement_timeout={int(timeouts.statement_seconds * 1000)} "
        f"-c lock_timeout={LOCK_TIMEOUT_MS} -c default_transaction_read_only=on"
    )

    def attempt() -> Session:
        try:
            return psycopg.connect(
                conninfo,
                autocommit=True,
                connect_timeout=max(1, round(timeouts.connect_seconds)),
                application_name=APPLICATION_NAME,
                options=options,
            )
        except psycopg.OperationalError as error:
            if refused(error):
                raise RefusedError(reason(dsn, error)) from None
            raise

    where = dsn.shown if database is None else f"{dsn.shown} (database {database})"
    return with_retries(
        attempt,
        what=f"PostgreSQL {where}",
        retry_on=(psycopg.OperationalError,),
        describe=lambda error: reason(dsn, error),
    )


def refused(error: psycopg.OperationalError) -> bool:
    """Whether the server itself answered with a fatal error (not a network failure)."""
    text = str(error)
    return "FATAL:" in text and "too many" not in text and "starting up" not in text


def reason(dsn: Dsn, error: BaseException) -> str:
    """The one line that says why, without libpq's prefix and without secrets."""
    lines = [line.strip() for line in dsn.scrub(str(error)).splitlines() if line.strip()]
    fatal = next((line for line in lines if "FATAL:" in line), None)
    if fatal is not None:
        return fatal.split("FATAL:", 1)[1].strip()
    first = lines[0] if lines else type(error).__name__
    return first.removeprefix("connection failed: ")
