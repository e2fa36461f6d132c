"""Who holds an embedded warehouse: one small file per process, beside the DuckDB file.

DuckDB lets one process write a file or many read it, never both, and a process that
finds the file taken learns only the holder's PID. So each process that opens the file
says what it is doing in `<file>.running/<pid>.json`, and one that must wait can tell
the user what for ("the ingest fleet running since 10:02"). The files only inform:
the lock itself is DuckDB's, and a file whose process is gone is ignored and removed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

LOCK_HOLDER_PID = re.compile(r"\(PID (\d+)\)")


@dataclass(frozen=True)
class Holder:
    """A process that has the warehouse open: what it does, since when, and whether it writes."""

    operation: str
    pid: int
    since: dt.datetime
    writes: bool

    def describe(self) -> str:
        """`the ingest fleet running since 10:02 (pid 4242)`, in local time."""
        return f"the {self.operation} running since {local_time(self.since)} (pid {self.pid})"


def local_time(moment: dt.datetime) -> str:
    """`10:02` today, `2026-12-05 10:02` another day, in local time."""
    local = moment.astimezone()
    if local.date() != dt.datetime.now().astimezone().date():
        return local.strftime("%Y-%m-%d %H:%M")
    return local.strftime("%H:%M")


def holders_dir(database: Path) -> Path:
    return database.with_name(database.name + ".running")


def announce(database: Path, operation: str, *, writes: bool) -> Path:
    """Record this process as a holder of `database`; return the file to withdraw later."""
    folder = holders_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{os.getpid()}.json"
    holder = {
        "operation": operation,
        "pid": os.getpid(),
        "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "writes": writes,
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(holder), encoding="utf-8")
    temporary.replace(path)  # a reader never sees half a file
    return path


def withdraw(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # other holders may still be there
        path.parent.rmdir()


def lock_holder_pid(message: str) -> int | None:
    """The PID DuckDB names in its lock error (`Conflicting lock is held in ... (PID 4242)`)."""
    found = LOCK_HOLDER_PID.search(message)
    return int(found.group(1)) if found else None


def holder_of(database: Path, pid: int | None) -> Holder | None:
    """The holder with this PID, else the oldest writer, else the oldest reader; None if
    no live process said it holds the file."""
    live = [holder for holder in read_holders(database) if alive(holder.pid)]
    for holder in live:
        if holder.pid == pid:
            return holder
    live.sort(key=lambda holder: (not holder.writes, holder.since))
    return live[0] if live else None


def read_holders(database: Path) -> list[Holder]:
    """Every well-formed holder file; anything else there is ignored."""
    holders = []
    for path in sorted(holders_dir(database).glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            holder = Holder(
                operation=str(data["operation"])[:100],
                pid=int(data["pid"]),
                since=dt.datetime.fromisoformat(str(data["since"])),
                writes=bool(data["writes"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if holder.since.tzinfo is None:
            holder = Holder(
                holder.operation, holder.pid, holder.since.replace(tzinfo=dt.UTC), holder.writes
            )
        if not alive(holder.pid):
            path.unlink(missing_ok=True)  # left by a process that was killed
            continue
        holders.append(holder)
    return holders


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
