"""The month's report documents, kept per process while the data they read is unchanged.

A showback of a month over thousands of tenants is a few aggregations over millions of
allocation rows: most of a request (docs/performance.md, `api`). The same month is
asked for again and again (each tenant's page narrows the whole showback to its lines),
and its answer changes only when the warehouse or the catalog does. So the served
process keeps the last documents (JSON-ready, notes included) keyed by the report and
its parameters, each stamped with the *data version*: the modification time and size of
the catalog and of the embedded warehouse's files (the database, its write-ahead log and
the read copy readers take beside a writer). Any write changes one of them; a document
computed while the version moved is not kept. Its JSON text is kept beside it: a whole
showback of thousands of lines costs more to serialise than to send. A warehouse by
URL (PostgreSQL) has no such cheap version: nothing is kept, every request computes.

The findings pages are kept the same way by the state store's version (its files and
today's date), apart from the reports; a value is computed once however many requests
ask at once; and the dashboard's tenant pages have the month's figures of every tenant
computed in the background (`soon`) while each reads its own.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import JSONResponse

from costplane.service import SETTLED_NS
from costplane.settings import Settings

log = logging.getLogger(__name__)

KEPT = 32
"""Documents kept: a few months × groupings × reports."""

Reads = Literal["warehouse", "state"]
"""What a value is computed from: the catalog and the warehouse (the reports), or the
state store (the findings)."""
Stamp = tuple[int, int, int] | None
Version = tuple[object, ...]


def _stat(path: Path) -> Stamp:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_ino, found.st_mtime_ns, found.st_size)


def data_version(settings: Settings, reads: Reads = "warehouse") -> Version | None:
    """What a value reads, as file stamps (inode, modification time, size); None when it
    cannot be stamped cheaply: a store by URL (PostgreSQL)."""
    if reads == "state":
        if settings.state_url is not None:
            return None
        state = settings.embedded_state
        today = dt.datetime.now(dt.UTC).date()  # a suppression ends with a day
        return (today, _stat(state), _stat(state.with_name(state.name + "-wal")))
    if settings.warehouse_url is not None:
        return None
    database = settings.embedded_warehouse
    files = [database, *(database.with_name(database.name + s) for s in (".wal", ".read"))]
    return (_stat(settings.catalog_path), *(_stat(path) for path in files))


def settled(version: Version, started_ns: int) -> bool:
    """Whether every stamped file was last written well before `started_ns`.

    SQLite writes the state store in place: two commits within one tick of the file
    system's clock can leave the same stamp, and a value read between them would be kept
    as current. A value read once the files have been still for longer than a tick
    cannot be (the "racily clean" case Git handles the same way). The warehouse's read
    copy is replaced by a rename, a new inode each time, so its values need no wait.
    """
    stamps = [stamp for stamp in version if isinstance(stamp, tuple)]
    return all(stamp[1] < started_ns - SETTLED_NS for stamp in stamps)


@dataclass(frozen=True)
class Kept:
    """A whole report's document, JSON-ready, and its JSON text (most answers are it)."""

    body: Any
    json: bytes


def kept(body: Any) -> Kept:
    return Kept(body, bytes(JSONResponse(body).body))


class ReportCache:
    """The kept values, by key, each with the data version it was computed at.

    A value is computed once however many requests ask for it at once (the others wait
    for it), and `soon` computes one in the background, one at a time, for a caller that
    has a cheaper answer meanwhile (the dashboard's tenant page).
    """

    def __init__(
        self, settings: Settings, kept: int = KEPT, kept_of_kind: Mapping[str, int] | None = None
    ) -> None:
        """Keep `kept` values, and of a kind in `kept_of_kind` (a key's first item: a
        month of every tenant's page figures is about 190 MB at 5,000 tenants) that many."""
        self._settings = settings
        self._kept = kept
        self._kept_of_kind = dict(kept_of_kind or {})
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[Version, Any]] = OrderedDict()
        self._computing: dict[Hashable, threading.Event] = {}
        self._background = ThreadPoolExecutor(1, thread_name_prefix="costplane-reports")
        self._warming: list[Future[None]] = []
        self.computed = 0
        """Values computed since the start (every other answer was a kept one)."""

    def document(
        self, key: Hashable, compute: Callable[[], Any], reads: Reads = "warehouse"
    ) -> Kept:
        """The document for `key` with its JSON text (`value`)."""
        found: Kept = self.value(key, lambda: kept(compute()), reads)
        return found

    def value(self, key: Hashable, compute: Callable[[], Any], reads: Reads = "warehouse") -> Any:
        """The value for `key`: kept, if computed at the current data version; else
        computed now, or by the request already computing it, and kept if the version
        did not move meanwhile. Callers must not change what they get: it is shared."""
        while True:
            version = data_version(self._settings, reads)
            if version is None:
                self.computed += 1
                return compute()
            with self._lock:
                found = self._current(key, version)
                if found is not None:
                    return found[1]
                underway = self._computing.get(key)
                if underway is None:
                    self._computing[key] = threading.Event()
            if underway is None:
                return self._compute(key, version, compute, reads)
            underway.wait()  # then look again: kept, or the version moved

    def soon(self, key: Hashable, compute: Callable[[], Any]) -> Any | None:
        """The value for `key` if kept at the current data version; else None, and it is
        computed in the background (unless it is underway) for the requests after."""
        version = data_version(self._settings)
        if version is None:
            return None
        with self._lock:
            found = self._current(key, version)
            if found is not None:
                return found[1]
            if key in self._computing:
                return None
            self._computing[key] = threading.Event()
        self._background.submit(self._compute_quietly, key, version, compute)
        return None

    def warm(self, tasks: list[Callable[[], object]]) -> None:
        """Run these (which keep values) in the background now; `warming` until done."""
        for task in tasks:
            self._warming.append(self._background.submit(self._quietly, task))

    @property
    def warming(self) -> bool:
        return not all(future.done() for future in self._warming)

    def close(self) -> None:
        self._background.shutdown(wait=False, cancel_futures=True)

    def _current(self, key: Hashable, version: Version) -> tuple[Version, Any] | None:
        found = self._values.get(key)
        if found is None or found[0] != version:
            return None
        self._values.move_to_end(key)
        return found

    def _compute(
        self,
        key: Hashable,
        version: Version,
        compute: Callable[[], Any],
        reads: Reads = "warehouse",
    ) -> Any:
        """Compute the value this thread claimed, keep it, and let the waiting ones go."""
        try:
            started = time.time_ns()
            made = compute()
            self.computed += 1
            unchanged = data_version(self._settings, reads) == version
            if unchanged and (reads != "state" or settled(version, started)):
                with self._lock:
                    self._keep(key, (version, made))
                settle()
            return made
        finally:
            with self._lock:
                self._computing.pop(key).set()

    def _keep(self, key: Hashable, value: tuple[Version, Any]) -> None:
        """Keep `value` as the newest, letting the least recently used go beyond the
        bounds (the lock held)."""
        self._values[key] = value
        self._values.move_to_end(key)
        kind = _kind(key)
        if kind in self._kept_of_kind:
            alike = [k for k in self._values if _kind(k) == kind]
            for old in alike[: -self._kept_of_kind[kind]]:
                del self._values[old]
        while len(self._values) > self._kept:
            self._values.popitem(last=False)

    def _compute_quietly(self, key: Hashable, version: Version, compute: Callable[[], Any]) -> None:
        self._quietly(lambda: self._compute(key, version, compute))

    @staticmethod
    def _quietly(task: Callable[[], object]) -> None:
        try:
            task()
        except Exception:  # a request computes it itself, and says what is wrong
            log.exception("computing a report in the background failed")


def _kind(key: Hashable) -> object:
    return key[0] if isinstance(key, tuple) and key else None


def settle() -> None:
    """Keep Python's cyclic garbage collector off what the process holds now.

    A kept month of 5,000 tenants, with the catalog, is some 700,000 objects, and a full
    collection walks them all: about 0.4 s, while every request waits for the
    interpreter, which was the slowest 1 % of answers (docs/performance.md, `api`). They
    are held, not garbage, and nearly all without cycles, so reference counting frees
    them when they are let go; frozen, no collection walks them again. The young
    generations are collected first, so little garbage is frozen with them.
    """
    gc.collect(1)
    gc.freeze()


def report_cache(request: Request) -> ReportCache:
    """The app's cache of reports (a FastAPI dependency)."""
    cache: ReportCache = request.app.state.reports
    return cache


def findings_cache(request: Request) -> ReportCache:
    """The app's cache of findings pages: apart from the reports, so that many pages and
    filters asked never push a month's costly reports out."""
    cache: ReportCache = request.app.state.findings
    return cache
