"""A tenant's monthly statement as a document: PDF, XLSX or HTML.

The route calls `report statement`'s operation and renders it with the same renderer
(`costplane.surfaces.documents.render_statement`). The statement is the tenant's invoice
basis: finance and admins may fetch any tenant's, a tenant's token its own (another
tenant is a 403, whether it exists or not, as `?tenant=` on the cost routes).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from costplane.service import Principal, Project, Right, StatementRequest, statement
from costplane.surfaces.documents import DocumentFormat, Rendered, render_statement
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import PERIOD
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(tags=["statements"], responses=PROBLEMS)

DOCUMENTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The statement, in the format asked for",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in (Rendered(b"", f, "").media_type.split(";")[0] for f in DocumentFormat)
        },
    }
}


@router.get(
    "/tenants/{tenant}/statement",
    response_class=Response,
    responses=DOCUMENTS,
)
def tenant_statement(
    tenant: str = Path(max_length=100, description="A tenant's catalog id"),
    period: str = PERIOD,
    fmt: DocumentFormat = Query(DocumentFormat.PDF, alias="format", description="The format"),
    who: Principal = Depends(allowed(Right.READ_STATEMENTS)),
    project: Project = Depends(served_project),
) -> Response:
    """The tenant's statement of the month: contract and fee, cost by environment and
    domain, use beyond its entitlements, and the charge (`report statement`)."""
    scope = narrowed(project, who, tenant)
    assert scope is not None  # a path names one tenant
    rendered = render_statement(statement(project, StatementRequest.of(scope, period)), fmt)
    disposition = f'attachment; filename="{rendered.filename}"'
    if fmt is DocumentFormat.HTML:
        disposition = f'inline; filename="{rendered.filename}"'
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={"Content-Disposition": disposition},
    )
