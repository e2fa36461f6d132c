"""The project an operation works on: its settings, catalog and stores, opened on demand.

Every surface (the CLI, the REST API) holds one. What is the surface's own (the name of
the running operation, where a "waiting for ..." line goes, a spinner) it passes in.

An operation that only reads opens the stores with `create=False`: in a directory
that is not a project (no catalog, no `.costplane/`) it says so (exit 2) instead of
leaving an empty store behind; in a project whose embedded store is not written yet
it reads an empty one in memory, so it finds nothing and creates nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from costplane.catalog import Catalog, load_catalog
from costplane.errors import InputError
from costplane.settings import Settings
from costplane.state import current_revision, head_revision, state_engine, upgrade
from costplane.warehouse import Access, Warehouse, connect_warehouse, wait_seconds_from_environment


def _unnamed() -> str:
    return "costplane"


def _silent(message: str) -> None:
    del message


def _quiet(doing: str) -> AbstractContextManager[Any]:
    del doing
    return nullcontext()


SETTLED_NS = 2_000_000_000
"""How much older than its reading a file's modification time must be to prove that
an unchanged status means unchanged bytes: above any file system's timestamp tick (the
"racily clean" rule; the server's report cache keeps values by the same one)."""


@dataclass(frozen=True)
class KeptCatalog:
    stamp: tuple[int, int, int]
    digest: bytes
    read_at: int
    catalog: Catalog

    def settled(self, modified_ns: int) -> bool:
        return modified_ns < self.read_at - SETTLED_NS


@dataclass
class Project:
    settings: Settings
    debug: bool = False
    operation: Callable[[], str] = _unnamed
    """The operation running, as another process waiting on a store is told it."""
    on_wait: Callable[[str], None] = _silent
    """Where "waiting for ..." goes while a store is held by another writer."""
    busy: Callable[[str], AbstractContextManager[Any]] = _quiet
    """Shows what a long step is doing while it runs (`governing`): a spinner, or nothing."""
    _engine: Engine | None = field(default=None, repr=False)
    _catalogs: dict[Path, KeptCatalog] = field(default_factory=dict, repr=False)
    _catalog_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def catalog(self, path: Path | None = None) -> Catalog:
        """The catalog, parsed again only when the file changed.

        Operations ask for it freely (a server on every request, a command several
        times), and parsing one of thousands of tenants takes seconds. An unchanged file
        status (inode, size, modification time) proves nothing changed only once that
        time is older than the clock's tick when the file was read (an edit within the
        tick keeps the time: the "racily clean" case Git handles the same way); until
        then the bytes' digest decides. Callers must not change what they get.
        """
        path = path or self.settings.catalog_path
        if not path.exists():
            raise InputError(
                f"{path}: no catalog here; write one (see examples/distribution-saas/) "
                "or run `costplane demo`"
            )
        try:
            status = path.stat()
        except OSError:
            return load_catalog(path)  # says why it cannot be read
        stamp = (status.st_ino, status.st_size, status.st_mtime_ns)
        with self._catalog_lock:
            kept = self._catalogs.get(path)
            if kept is not None and kept.stamp == stamp and kept.settled(status.st_mtime_ns):
                return kept.catalog
            read_at = time.time_ns()
            try:
                digest = hashlib.sha256(path.read_bytes()).digest()
            except OSError:
                return load_catalog(path)
            if kept is None or kept.digest != digest:
                kept = KeptCatalog(stamp, digest, read_at, load_catalog(path))
            else:
                kept = dataclasses.replace(kept, stamp=stamp, read_at=read_at)
            self._catalogs[path] = kept
            return kept.catalog

    def warehouse(
        self, *, ensure_schema: bool = True, create: bool = True, read_only: bool | None = None
    ) -> Warehouse:
        """The warehouse, with its declared tables created or extended as needed;
        without `create`, an embedded one not written yet is read empty, in memory.

        An embedded warehouse is opened read-only for commands that only read
        (`read_only`, by default those that do not `create`), so any number of them run
        at once; a command that finds it held by a writer waits COSTPLANE_WAREHOUSE_WAIT
        seconds, saying for what, then exits 1 (docs/warehouse.md, "Two commands at once").
        """
        target = self.settings.warehouse_target
        reads_only = not create if read_only is None else read_only
        if self.settings.warehouse_url is None:
            if create:
                self.settings.ensure_data_dir()
            if (not create or reads_only) and not self._exists(self.settings.embedded_warehouse):
                target = "duckdb:///:memory:"  # nothing written yet: read an empty one
        access = Access(
            read_only=reads_only,
            wait_seconds=wait_seconds_from_environment(),
            operation=self.operation(),
            on_wait=self.on_wait,
        )
        warehouse = connect_warehouse(target, access=access)
        if ensure_schema:
            try:
                warehouse.ensure_schema()
            except BaseException:
                warehouse.close()
                raise
        return warehouse

    def state(self, *, create: bool = True) -> Engine:
        """The state store. The embedded default migrates itself on first use;
        a configured server is migrated only by `costplane db upgrade`. Without
        `create`, an embedded one not written yet is read empty, in memory."""
        if self._engine is None:
            target = self.settings.state_target
            if self.settings.state_url is None:
                if create:
                    self.settings.ensure_data_dir()
                elif not self._exists(self.settings.embedded_state):
                    target = "sqlite://"
            self._engine = state_engine(target)
            if (
                self.settings.state_url is None
                and current_revision(self._engine) != head_revision()
            ):
                upgrade(self._engine)
        return self._engine

    def close(self) -> None:
        """Let go of the state store's connections (the root command calls this on exit)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _exists(self, store: Path) -> bool:
        """Whether an embedded store is there; InputError when the directory is no project."""
        if store.exists():
            return True
        if not (self.settings.catalog_path.exists() or self.settings.data_dir.exists()):
            raise InputError(
                f"{self.settings.home.resolve()}: no Costplane project here (no "
                f"{self.settings.catalog_path.name}, no {self.settings.data_dir.name}/); "
                "give --home, or start one with `costplane demo` or a catalog"
            )
        return False
