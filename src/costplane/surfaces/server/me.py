"""Who the token is: its subject, role, tenant and rights, so a client (the dashboard, a
script) shows what the token may do without trying each route."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from costplane.service import Principal, Right, may
from costplane.surfaces.server.auth import principal
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import document
from costplane.surfaces.server.schemas import Document

router = APIRouter(tags=["tokens"], responses=PROBLEMS)


class Me(Document):
    subject: str
    role: str
    tenant: str | None
    rights: list[str]


@router.get("/me", response_model=Me)
def me(who: Principal = Depends(principal)) -> JSONResponse:
    """The token's subject, role, tenant (a tenant's token) and rights (docs/serving.md)."""
    rights = [right.value for right in Right if may(who, right)]
    return document(
        {"subject": who.subject, "role": who.role, "tenant": who.tenant, "rights": rights}
    )
