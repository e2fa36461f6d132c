"""Reading one database, part by part: a part that fails is named, the rest goes on.

A statement can be refused (no SELECT on a table), cancelled (the statement
timeout) or blocked (a lock held by a migration); each costs only the part it
belonged to, which is reported as missing. A lost connection ends the database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg import sql

from costplane.sources.postgres.connection import Session

T = TypeVar("T")

Query = str | sql.Composed | sql.SQL


class Reader:
    """One database's session, and the list its failures are written to."""

    def __init__(self, session: Session, database: str, missing: list[str]) -> None:
        self.session = session
        self.database = database
        self.missing = missing

    def rows(self, query: Query, params: Sequence[object] | None = None) -> list[tuple[Any, ...]]:
        return self.session.execute(query, params).fetchall()

    def value(self, query: Query, params: Sequence[object] | None = None) -> Any:
        row = self.session.execute(query, params).fetchone()
        return None if row is None else row[0]

    def attempt(self, what: str, read: Callable[[], T]) -> T | None:
        """`read()`, or None with `what` reported missing when the server refuses it."""
        try:
            return read()
        except psycopg.Error as error:
            if self.session.broken or self.session.closed:
                raise
            self.missing.append(f"database {self.database}: {what} ({first_line(error)})")
            return None


def first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
