"""Findings: listed (filtered, paged), shown, acknowledged and suppressed.

The routes call the same operations as `costplane findings`; a decision is made in the
name of the token's subject, so the finding's history and the audit log name who made
it. A tenant's token lists and shows its own tenant's findings only (another's is a 404,
as if it did not exist) and decides nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from costplane.catalog import Severity
from costplane.errors import InputError, NotFoundError
from costplane.governance import Status, StoredFinding
from costplane.service import (
    ACTIVE,
    FindingsQuery,
    Principal,
    Project,
    Right,
    Suppression,
    acknowledge_finding,
    finding_document,
    kept_finding,
    kept_findings_page,
    suppress_finding,
    to_document,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.report_cache import ReportCache, findings_cache
from costplane.surfaces.server.responses import LIMIT, OFFSET, document
from costplane.surfaces.server.schemas import FindingDocument, Page
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(prefix="/findings", tags=["findings"], responses=PROBLEMS)

REFERENCE = Path(
    max_length=64,
    description="The finding's id, or the start of its fingerprint (6 characters or more)",
    examples=["1"],
)


class SuppressBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    until: dt.date = Field(description="The last day (UTC) it stays suppressed")
    reason: str = Field(min_length=1, max_length=2000, description="Why: kept with the finding")


@router.get("", response_model=Page[FindingDocument])
def findings(
    status: list[Status] = Query(
        [], description="Only these statuses (repeatable); default: open and acknowledged"
    ),
    every: bool = Query(False, alias="all", description="Every status, resolved too"),
    policy: str | None = Query(None, max_length=200, description="Only this policy's"),
    severity: Severity | None = Query(None, description="Only this severity"),
    tenant: str | None = Query(None, max_length=100, description="Only this tenant's"),
    limit: int = LIMIT,
    offset: int = OFFSET,
    who: Principal = Depends(allowed(Right.READ_FINDINGS)),
    project: Project = Depends(served_project),
    pages: ReportCache = Depends(findings_cache),
) -> Response:
    """Findings, most money first (`findings list -o json`, without each one's history)."""
    query = FindingsQuery(
        statuses=None if every else (tuple(status) or ACTIVE),
        policy=policy,
        tenant=narrowed(project, who, tenant),
        severity=None if severity is None else severity.value,
    )

    def listed() -> Any:
        page = kept_findings_page(project, query, limit, offset)
        shown = [_listed(f) for f in page.items]
        return to_document({"items": shown, "total": page.total, "limit": limit, "offset": offset})

    # Kept while the state store is unchanged (report_cache.py): a decision, a `govern`
    # or a day's end is a new version.
    found = pages.document((query, limit, offset), listed, reads="state")
    return Response(found.json, media_type="application/json")


@router.get("/{reference}", response_model=FindingDocument)
def finding(
    reference: str = REFERENCE,
    who: Principal = Depends(allowed(Right.READ_FINDINGS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """One finding in full: resource, money, fix, evidence and history."""
    return document(finding_document(_visible(project, who, reference)))


@router.post("/{reference}/acknowledge", response_model=FindingDocument)
def acknowledge(
    reference: str = REFERENCE,
    who: Principal = Depends(allowed(Right.DECIDE_FINDINGS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Acknowledge a finding in the token subject's name (kept in the audit log)."""
    _visible(project, who, reference)
    return document(finding_document(acknowledge_finding(project, reference, who.subject)))


@router.post("/{reference}/suppress", response_model=FindingDocument)
def suppress(
    body: SuppressBody,
    reference: str = REFERENCE,
    who: Principal = Depends(allowed(Right.DECIDE_FINDINGS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Suppress a finding until a day, in the token subject's name (kept in the audit log)."""
    _visible(project, who, reference)
    suppression = Suppression(until=body.until, reason=body.reason, by=who.subject)
    return document(finding_document(suppress_finding(project, reference, suppression)))


def _listed(found: StoredFinding) -> dict[str, object]:
    return {k: v for k, v in finding_document(found).items() if k != "history"}


def _visible(project: Project, who: Principal, reference: str) -> StoredFinding:
    """The finding, if the principal may see it: for a tenant's token, another tenant's
    finding, one that does not exist and an ambiguous reference are the same 404."""
    if who.tenant is None:
        return kept_finding(project, reference)
    try:
        found = kept_finding(project, reference)
    except InputError:
        found = None
    if found is None or found.tenant != who.tenant:
        raise NotFoundError(f"no finding {reference!r}")
    return found
