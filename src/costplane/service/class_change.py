"""`plan class-change`: one tenant moved to another service class, priced and rendered.

The operation reads the warehouse read-only on the month asked for (else the newest
allocated), hands the stage (`costplane.insight.class_change`) the catalog, and, when
asked, writes the tenant's rendering under the new class as `render tenant` would
(Kustomize). The rules are the stage's (docs/service-classes.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costplane.allocation import Window
from costplane.blueprint import kustomize_files, render_problems
from costplane.catalog import locate_problems
from costplane.insight.class_change import ClassChange, class_change, rendering, with_class
from costplane.insight.placement import newest_allocated_month
from costplane.service.project import Project
from costplane.service.serialise import to_document
from costplane.written_file import make_directories, write_text


@dataclass(frozen=True)
class ClassChangeRequest:
    tenant: str
    to: str
    period: str | None = None
    """YYYY-MM; None: the newest allocated month."""
    force: bool = False
    """Plan a class below the tenant's use all the same."""
    out: Path | None = None
    """Where to write the rendering under the new class; None: nowhere."""


@dataclass(frozen=True)
class ClassChangePlan:
    change: ClassChange
    written: tuple[str, ...] = ()
    """Files written under `out`, relative to it."""


def plan_class_change(project: Project, request: ClassChangeRequest) -> ClassChangePlan:
    catalog = project.catalog()
    tenant = catalog.tenant(request.tenant)
    if tenant is not None and request.to in catalog.service_classes:
        problems = render_problems(catalog, [tenant.service_class, request.to])
        if problems:  # FILE:LINE here; the stage names the class without the file
            raise locate_problems(project.settings.catalog_path, problems)
    with project.warehouse(create=False) as warehouse:
        window = (
            newest_allocated_month(warehouse)
            if request.period is None
            else Window.month(request.period)
        )
        change = class_change(warehouse, catalog, window, request.tenant, request.to, request.force)
    if request.out is None:
        return ClassChangePlan(change)
    moved = with_class(catalog, change.tenant, request.to)
    files = kustomize_files(rendering(moved, change.tenant), moved)
    out = request.out
    out.mkdir(parents=True, exist_ok=True)
    for relative, text in files.items():
        target = out / relative
        if target.parent != out:
            make_directories(target.parent, root=out)
        write_text(target, text, root=out)
    return ClassChangePlan(change, tuple(files))


def class_change_document(plan: ClassChangePlan) -> dict[str, Any]:
    """`{"plan": "class-change", "tenant", "period", ..., "manifests": [...], "written"}`:
    the change's fields and computed values, then the files written (docs/service-classes.md)."""
    return {"plan": "class-change", **to_document(plan.change), "written": list(plan.written)}
