"""Drift: the live inventory (or a GitOps repository) against what `render tenant` gives."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from costplane.blueprint import (
    ObjectDrift,
    gitops_objects,
    live_objects,
    relevant_namespaces,
    render_problems,
    render_tenant_objects,
    tenant_drift,
)
from costplane.catalog import locate_problems
from costplane.errors import InputError
from costplane.kubernetes_kinds import KINDS
from costplane.money import cents
from costplane.service.project import Project


@dataclass(frozen=True)
class DriftRequest:
    tenant: str | None = None
    """None: every tenant of the catalog."""
    manifests: Path | None = None
    """A GitOps repository to compare instead of the warehouse's inventory."""


@dataclass(frozen=True)
class DriftReport:
    source: str
    currency: str
    tenants: tuple[str, ...]
    objects_compared: int
    monthly_amount: Decimal
    """The sum of the drifts' monthly amounts: what runs costs this much more (or less)."""
    drifts: tuple[ObjectDrift, ...]
    notes: tuple[str, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.drifts)


def drift(project: Project, request: DriftRequest) -> DriftReport:
    catalog = project.catalog()
    tenants = [t.id for t in catalog.tenants]
    if request.tenant is not None:
        if catalog.tenant(request.tenant) is None:
            known = ", ".join(sorted(tenants)) or "none"
            raise InputError(f"unknown tenant {request.tenant!r} (catalog tenants: {known})")
        tenants = [request.tenant]
    problems = render_problems(catalog)
    if problems:
        raise locate_problems(project.settings.catalog_path, problems)
    renderings = [render_tenant_objects(catalog, tenant) for tenant in tenants]
    notes: list[str] = []
    actual: list[dict[str, Any]]
    kinds: frozenset[str] | None = None
    if request.manifests is not None:
        source = str(request.manifests)
        actual = gitops_objects(request.manifests)
    else:
        source = "warehouse"
        kinds = frozenset(kind.kind for kind in KINDS)
        with project.warehouse(create=False) as warehouse:
            actual = live_objects(warehouse, relevant_namespaces(renderings, catalog))
        if not actual:
            notes.append(
                "the warehouse holds none of these namespaces' objects (costplane collect "
                "kubernetes): every rendered object is missing"
            )
        uncollected = sorted(
            {o["kind"] for r in renderings for env in r.environments for o in env.objects} - kinds
        )
        if uncollected:
            notes.append(
                f"not compared (collect kubernetes does not read them): {', '.join(uncollected)}"
                "; compare a GitOps repository with --manifests for those"
            )
    drifts = [
        d for rendering in renderings for d in tenant_drift(rendering, actual, catalog, kinds)
    ]
    compared = sum(
        1
        for r in renderings
        for env in r.environments
        for o in env.objects
        if kinds is None or o["kind"] in kinds
    )
    total = cents(sum((d.monthly_amount or Decimal(0) for d in drifts), Decimal(0)))
    return DriftReport(
        source, catalog.currency, tuple(tenants), compared, total, tuple(drifts), tuple(notes)
    )
