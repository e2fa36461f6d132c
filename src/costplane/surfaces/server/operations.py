"""The host's views: each source's status, and the audit log (read only)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from costplane.service import (
    Principal,
    Project,
    Right,
    audit_entries,
    collector_status,
    source_document,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import LIMIT, OFFSET, document, page
from costplane.surfaces.server.schemas import AuditEntryDocument, Page, SourceDocument
from costplane.surfaces.server.served import served_project

router = APIRouter(responses=PROBLEMS)


@router.get("/sources", response_model=list[SourceDocument], tags=["sources"])
def sources(
    _who: Principal = Depends(allowed(Right.READ_SOURCES)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Each source and target that ever ran: last success, last error, staleness
    (`sources status -o json`)."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return document([source_document(entry, now) for entry in collector_status(project)])


@router.get("/audit", response_model=Page[AuditEntryDocument], tags=["audit"])
def audit(
    limit: int = LIMIT,
    offset: int = OFFSET,
    _who: Principal = Depends(allowed(Right.READ_AUDIT)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """The audit log, newest first: applied actions and decisions on findings, with who
    (`audit list -o json`); `total` is the number of entries."""
    entries = audit_entries(project, None)
    return page(entries, limit, offset)
