"""Drift: the tenants' rendered manifests against what the warehouse's inventory holds.

The route calls `costplane drift`'s operation, read only, against the newest collected
inventory: comparing a GitOps repository (`--manifests DIR`) stays a CLI step, since a
path in a request would let a client make the server read its disk. Drift shows the
platform's objects, so it is for the roles that run it (`read_drift`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from costplane.service import DriftReport, DriftRequest, Principal, Project, Right
from costplane.service import drift as drift_operation
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.derived import model_of
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import document
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(tags=["drift"], responses=PROBLEMS)

DriftDocument = model_of(DriftReport, "DriftDocument")


@router.get("/drift", response_model=DriftDocument)
def drift(
    tenant: str | None = Query(None, max_length=100, description="Only this tenant"),
    who: Principal = Depends(allowed(Right.READ_DRIFT)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Missing, extra and changed objects against the tenants' rendering, each changed
    field, and the monthly money where a change alters cost (`drift -o json`)."""
    scope = narrowed(project, who, tenant)
    return document(drift_operation(project, DriftRequest(tenant=scope)))
