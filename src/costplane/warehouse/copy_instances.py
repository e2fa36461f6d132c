"""Each read copy opened as a DuckDB instance of its own, so a reader gets the current one.

DuckDB keeps one database instance per file path in a process and hands it to every new
connection to that path while any connection to it is open. A read copy is replaced by
a rename (`read_copy.publish`), so a process that still held the previous copy open
(a server answering an earlier request) would hand that old copy to a new connection
under the same path: a request begun after a write could read the data before it and,
under steady load, keep doing so (issue 16). So a copy is attached, read-only, to an
in-memory instance kept by the copy's identity (inode, modification time, size), and a
connection is a cursor of the instance of the copy current when it opens. Connections
to one copy share its instance (its cache, its memory limit), which closes with the
last of them, as DuckDB's own would.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

ATTACHED = "warehouse"
"""The name the copy is attached under, and each connection's current database."""
ATTEMPTS = 5
"""Times to try when the copy is replaced while it is being attached."""

Identity = tuple[int, int, int]


@dataclass
class Instance:
    database: duckdb.DuckDBPyConnection
    connections: int = 0


_lock = threading.Lock()
_instances: dict[tuple[Path, Identity], Instance] = {}


def identity(copy: Path) -> Identity:
    found = copy.stat()
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def connect(copy: Path, settings: Mapping[str, str]) -> tuple[duckdb.DuckDBPyConnection, Identity]:
    """A read-only connection to the copy as it is now, and the copy's identity to
    `release` it by; raises OSError when the copy is gone, duckdb.Error when DuckDB
    cannot read it."""
    copy = copy.absolute()
    for _ in range(ATTEMPTS):
        seen = identity(copy)
        with _lock:
            instance = _instances.get((copy, seen))
            if instance is None:
                database = attached(copy, settings)
                if identity(copy) != seen:  # replaced meanwhile: which one is attached?
                    database.close()
                    continue
                instance = _instances[copy, seen] = Instance(database)
            connection = instance.database.cursor()
            connection.execute(f"USE {ATTACHED}")
            instance.connections += 1
            return connection, seen
    raise OSError(f"{copy} was replaced {ATTEMPTS} times while it was being opened")


def release(copy: Path, seen: Identity) -> None:
    """One connection to the copy closed; the instance closes with its last."""
    key = (copy.absolute(), seen)
    with _lock:
        instance = _instances.get(key)
        if instance is None:
            return
        instance.connections -= 1
        if instance.connections <= 0:
            del _instances[key]
            instance.database.close()


def attached(copy: Path, settings: Mapping[str, str]) -> duckdb.DuckDBPyConnection:
    """An in-memory instance with the copy attached. It spills beside the copy, not into
    the working directory, and not into `<copy>.tmp`, the name a copy is published under."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "temp_directory": str(copy.with_name(copy.name + ".spill")),
        **settings,
    }
    database = duckdb.connect(":memory:", config=config)
    try:
        literal = str(copy).replace("'", "''")
        database.execute(f"ATTACH '{literal}' AS {ATTACHED} (READ_ONLY)")
    except BaseException:
        database.close()
        raise
    return database
