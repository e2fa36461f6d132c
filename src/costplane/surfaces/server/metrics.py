"""`GET /metrics` on the server: the Prometheus exposition (costplane.surfaces.metrics),
for a token that sees every tenant.

The exposition holds every tenant's cost, so it is no health check: it needs a token like
every API route, of a role that may read cost and is not a tenant's (a tenant's token gets
403, as on any route that would show another tenant). Prometheus sends it with
`authorization: {credentials_file: ...}` (docs/metrics.md). The route is in the OpenAPI
document, so the tenant-isolation walk covers it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from costplane.service import AccessDeniedError, Principal, Project, Right
from costplane.surfaces.metrics import metrics_endpoint
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.problems import PROBLEMS

EXPOSITION: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The Prometheus text exposition (version 0.0.4); docs/metrics.md",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
}


def metrics_router(project: Project) -> APIRouter:
    """The route, over the app's project: its model is kept between scrapes."""
    endpoint = metrics_endpoint(project)
    router = APIRouter(responses={**PROBLEMS, **EXPOSITION})

    @router.get("/metrics", tags=["metrics"], response_class=Response)
    def metrics(request: Request, who: Principal = Depends(allowed(Right.READ_COST))) -> Response:
        """Every tenant's cost, idle and unallocated, findings with their waste, budget
        use and each source's age, for Prometheus (docs/metrics.md)."""
        if who.tenant is not None:
            raise AccessDeniedError(
                f"a token of tenant {who.tenant} sees that tenant only; /metrics shows every "
                "tenant (scrape it with a viewer's token)"
            )
        return endpoint(request)

    return router
