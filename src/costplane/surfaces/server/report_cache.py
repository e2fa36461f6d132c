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
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from costplane.settings import Settings

KEPT = 32
"""Documents kept: a few months × groupings × reports."""

Version = tuple[tuple[int, int] | None, ...]


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size)


def data_version(settings: Settings) -> Version | None:
    """What a report reads, as file stamps; None when it cannot be stamped cheaply."""
    if settings.warehouse_url is not None:
        return None
    database = settings.embedded_warehouse
    files = [database, *(database.with_name(database.name + s) for s in (".wal", ".read"))]
    return (_stat(settings.catalog_path), *(_stat(path) for path in files))


@dataclass(frozen=True)
class Kept:
    """A whole report's document, JSON-ready, and its JSON text (most answers are it)."""

    body: Any
    json: bytes


def kept(body: Any) -> Kept:
    return Kept(body, bytes(JSONResponse(body).body))


class ReportCache:
    def __init__(self, settings: Settings, kept: int = KEPT) -> None:
        self._settings = settings
        self._kept = kept
        self._lock = threading.Lock()
        self._documents: OrderedDict[Hashable, tuple[Version, Kept]] = OrderedDict()
        self.computed = 0
        """Documents computed since the start (the rest were kept ones)."""

    def document(self, key: Hashable, compute: Callable[[], Any]) -> Kept:
        """The document for `key`: kept, if computed at the current data version; else
        computed now (and kept, if the version did not move meanwhile). Callers must not
        change what they get: it is shared."""
        version = data_version(self._settings)
        if version is None:
            self.computed += 1
            return kept(compute())
        with self._lock:
            found = self._documents.get(key)
            if found is not None and found[0] == version:
                self._documents.move_to_end(key)
                return found[1]
        made = kept(compute())
        self.computed += 1
        if data_version(self._settings) == version:
            with self._lock:
                self._documents[key] = (version, made)
                self._documents.move_to_end(key)
                while len(self._documents) > self._kept:
                    self._documents.popitem(last=False)
        return made


def report_cache(request: Request) -> ReportCache:
    """The app's cache (a FastAPI dependency)."""
    cache: ReportCache = request.app.state.reports
    return cache
