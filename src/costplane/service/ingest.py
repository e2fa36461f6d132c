"""Loading a directory the fleet generator wrote into the project's warehouse."""

from __future__ import annotations

from pathlib import Path

from costplane.service.project import Project
from costplane.sources import fleet_loads, open_and_ingest
from costplane.warehouse import LoadResult


def ingest_fleet(
    project: Project, directory: Path, *, allow_shrink: bool = False
) -> list[LoadResult]:
    """Every load of the fleet, through the warehouse's idempotent ingest."""
    loads = fleet_loads(directory, project.catalog().labels)
    with project.busy("loading into the warehouse"):
        return open_and_ingest(project.warehouse, project.state(), loads, allow_shrink=allow_shrink)
