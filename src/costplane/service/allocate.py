"""Allocating: place every billed amount of the days given (by default those whose data
changed since they were allocated) on a tenant, shared, idle or unallocated."""

from __future__ import annotations

from costplane.allocation import AllocationRun, Window, allocate
from costplane.service.project import Project


def allocate_days(project: Project, window: Window | None = None) -> AllocationRun | None:
    """The days of `window` replaced, never added to; None when nothing needed it."""
    catalog = project.catalog()
    with project.warehouse() as warehouse, project.busy("allocating"):
        return allocate(warehouse, catalog, window)
