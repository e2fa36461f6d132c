"""The catalog's tenants and service classes, as `costplane.yaml` declares them.

A tenant's token lists its own tenant and its own service class only; any other is a 404,
the same answer as for a name the catalog does not have, so a token cannot probe which
tenants exist.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from costplane.catalog import ServiceClass, Tenant
from costplane.errors import NotFoundError
from costplane.service import Principal, Project, Right
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import LIMIT, OFFSET, document, page
from costplane.surfaces.server.schemas import Page
from costplane.surfaces.server.served import served_project

router = APIRouter(tags=["catalog"], responses=PROBLEMS)

NAME = Path(max_length=100, description="A tenant's catalog id", examples=["alpen-bearings"])
CLASS = Path(max_length=100, description="A service class's id", examples=["shared-standard"])


class ServiceClassEntry(ServiceClass):
    """A service class with its id (the key it has in the catalog)."""

    model_config = ConfigDict(extra="forbid")
    id: str


def _tenants(project: Project, who: Principal) -> list[Tenant]:
    tenants = project.catalog().tenants
    return [t for t in tenants if who.tenant is None or t.id == who.tenant]


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


@router.get("/tenants", response_model=Page[Tenant])
def tenants(
    search: str | None = Query(
        None, max_length=100, description="Only tenants whose id or name contains this"
    ),
    limit: int = LIMIT,
    offset: int = OFFSET,
    who: Principal = Depends(allowed(Right.READ_CATALOG)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """The catalog's tenants, in its order (a tenant's token: its own)."""
    found = _tenants(project, who)
    if search:
        text = search.lower()
        found = [t for t in found if text in t.id.lower() or text in t.name.lower()]
    return page([_dump(t) for t in found], limit, offset)


@router.get("/tenants/{tenant}", response_model=Tenant)
def tenant(
    tenant: str = NAME,
    who: Principal = Depends(allowed(Right.READ_CATALOG)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """One tenant: its class, region, contracts and environments."""
    for found in _tenants(project, who):
        if found.id == tenant:
            return document(_dump(found))
    raise NotFoundError(f"no tenant {tenant!r} in the catalog")


def _classes(project: Project, who: Principal) -> dict[str, ServiceClass]:
    catalog = project.catalog()
    mine = {t.service_class for t in _tenants(project, who)}
    return {
        name: cls
        for name, cls in catalog.service_classes.items()
        if who.tenant is None or name in mine
    }


@router.get("/service-classes", response_model=Page[ServiceClassEntry])
def service_classes(
    limit: int = LIMIT,
    offset: int = OFFSET,
    who: Principal = Depends(allowed(Right.READ_CATALOG)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """The service classes, in the catalog's order (a tenant's token: its own class)."""
    items = [{"id": name, **_dump(cls)} for name, cls in _classes(project, who).items()]
    return page(items, limit, offset)


@router.get("/service-classes/{name}", response_model=ServiceClassEntry)
def service_class(
    name: str = CLASS,
    who: Principal = Depends(allowed(Right.READ_CATALOG)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """One service class: tenancy, quotas, entitlements, price."""
    found = _classes(project, who).get(name)
    if found is None:
        raise NotFoundError(f"no service class {name!r} in the catalog")
    return document({"id": name, **_dump(found)})
