"""The last written state of an embedded warehouse, copied for readers while a writer works.

DuckDB lets one process write a file or many read it, never both. So a writing process,
as it closes, checkpoints the file and copies it to `<file>.read` (under a temporary
name, then renamed: a reader opens the old copy or the new one, never half of one).
Readers open the copy while it is current, and while a writer holds the file: they see
the whole of the last write and nothing of the one in progress, they never wait for a
writer, and a writer never waits for them. The copy costs its size on disk and, without
a copy-on-write file system, one file copy per writing command (docs/warehouse.md).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from costplane.warehouse import holders

SUFFIX = ".read"
VARIABLE = "COSTPLANE_WAREHOUSE_READ_COPY"
"""`off` turns the copy off: readers then wait for writers (and writers for readers)."""


def enabled() -> bool:
    return os.environ.get(VARIABLE, "").strip().lower() not in {"off", "0", "false", "no"}


def copy_of(database: Path) -> Path:
    return database.with_name(database.name + SUFFIX)


def write_ahead_log(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def matches(database: Path) -> bool:
    """Whether the copy holds what the file holds: the same size and modification time,
    and no write-ahead log beside the file (writes not yet checkpointed into it)."""
    try:
        file, copy = database.stat(), copy_of(database).stat()
    except OSError:
        return False
    same = (file.st_size, file.st_mtime_ns) == (copy.st_size, copy.st_mtime_ns)
    return same and not write_ahead_log(database).exists()


def current(database: Path) -> bool:
    """Whether a reader may take the copy for the file: it matches, and no process writes."""
    if not enabled() or not matches(database):
        return False
    return not any(holder.writes for holder in holders.read_holders(database))


def available(database: Path) -> bool:
    return enabled() and copy_of(database).is_file()


def taken_at(database: Path) -> dt.datetime:
    """When the copy's state was written (the file's modification time it carries)."""
    return dt.datetime.fromtimestamp(copy_of(database).stat().st_mtime, dt.UTC)


def publish(database: Path) -> None:
    """Copy the checkpointed file for readers; the caller holds it for writing, so
    nothing changes it meanwhile. A copy that already matches is left alone."""
    if not enabled() or matches(database):
        return
    copy = copy_of(database)
    temporary = copy.with_name(copy.name + ".tmp")  # a killed publisher's is overwritten
    temporary.unlink(missing_ok=True)
    clone(database, temporary)
    stat = database.stat()
    os.utime(temporary, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    temporary.replace(copy)


def clone(source: Path, target: Path) -> None:
    """`target` as a copy of `source`, made by another process.

    Never by this one: POSIX drops every lock a process holds on a file when it closes any
    descriptor of that file, so opening the warehouse here to read it would silently give
    up DuckDB's write lock. `cp --reflink=auto` shares the blocks where the file system
    can (Btrfs, XFS) and copies them elsewhere; where `cp` lacks the flag, Python copies.
    """
    for command in (
        ["cp", "--reflink=auto", str(source), str(target)],
        [sys.executable, "-c", PYTHON_COPY, str(source), str(target)],
    ):
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError:  # no `cp` here
            continue
        if done.returncode == 0:
            return
    raise OSError(f"cannot copy {source} to {target}")


PYTHON_COPY = "import shutil, sys; shutil.copyfile(sys.argv[1], sys.argv[2])"
