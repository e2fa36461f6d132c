"""SQL written once for every engine: quoted identifiers and `$1`-style parameters.

DuckDB and psycopg's `RawCursor` both take `$n` parameters, so a statement
needs no per-engine variant; `Session` is what runs it inside a transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Protocol

Engine = Literal["duckdb", "postgres"]


def quoted(identifier: str) -> str:
    """An SQL identifier in double quotes, safe whatever it contains."""
    return '"' + identifier.replace('"', '""') + '"'


class Session(Protocol):
    """An open write transaction on the warehouse's native connection."""

    def rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return its rows."""
        ...

    def count(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run a statement; return how many rows it touched (0 for DDL)."""
        ...
