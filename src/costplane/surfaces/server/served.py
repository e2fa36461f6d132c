"""The project a server serves: one for every request, its catalog read once per change.

Operations call `project.catalog()` on every request; reading a catalog of thousands
of tenants each time would dominate a request, so the served project keeps the parsed
catalog while the file is unchanged (same modification time and size) and reads it
again when it changes. The state store's engine is shared by every request (SQLAlchemy
pools its connections); the warehouse is opened per request, read-only (docs/serving.md).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from costplane.catalog import Catalog
from costplane.service import Project


@dataclass
class ServedProject(Project):
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    _catalog: tuple[tuple[int, int], Catalog] | None = field(default=None, repr=False)

    def catalog(self, path: Path | None = None) -> Catalog:
        if path is not None and path != self.settings.catalog_path:
            return super().catalog(path)
        try:
            stat = self.settings.catalog_path.stat()
        except OSError:
            return super().catalog()  # says what is missing
        version = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._catalog is None or self._catalog[0] != version:
                self._catalog = (version, super().catalog())
            return self._catalog[1]


def served_project(request: Request) -> ServedProject:
    """The project of the app answering (a FastAPI dependency)."""
    project: ServedProject = request.app.state.project
    return project
