"""Entitlements against use, and DR evidence: what a tenant's class promises, checked.

The routes call `report entitlements` and `report dr`'s operations and answer their JSON
documents. A tenant's token gets its own tenant's (the operation narrowed to it, not a
whole report filtered afterwards); another tenant is a 403, as on the cost routes.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from costplane.insight import Entitlements, RecoveryEvidence
from costplane.service import (
    ClassReportRequest,
    Principal,
    Project,
    Right,
    dr_document,
    dr_report,
    entitlements_document,
    entitlements_report,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.derived import model_of
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import PERIOD, document
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(tags=["entitlements"], responses=PROBLEMS)

TENANT = Query(
    None, max_length=100, description="Only this tenant (a tenant's token: its own, always)"
)

EntitlementsDocument = model_of(Entitlements, "EntitlementsDocument", extra={"report": str})
RecoveryDocument = model_of(RecoveryEvidence, "RecoveryDocument", extra={"report": str})


@router.get("/entitlements", response_model=EntitlementsDocument)
def entitlements(
    period: str = PERIOD,
    tenant: str | None = TENANT,
    who: Principal = Depends(allowed(Right.READ_ENTITLEMENTS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Per tenant and environment: each entitlement of its class against what was used,
    with the money of use beyond it or headroom unused (`report entitlements -o json`)."""
    scope = narrowed(project, who, tenant)
    result = entitlements_report(project, ClassReportRequest.of(period, scope))
    return document(entitlements_document(result))


@router.get("/dr", response_model=RecoveryDocument)
def dr(
    period: str = PERIOD,
    tenant: str | None = TENANT,
    who: Principal = Depends(allowed(Right.READ_ENTITLEMENTS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Per tenant: RPO, RTO, restore tests and isolation against the backup records, with
    the evidence behind each (`report dr -o json`)."""
    scope = narrowed(project, who, tenant)
    result = dr_report(project, ClassReportRequest.of(period, scope))
    return document(dr_document(result))
