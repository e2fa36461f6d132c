"""The server's application: the REST API under /api/v1, health, /metrics and the
dashboard (at /), over one project.

Routes are plain (`def`) functions: FastAPI runs them on its thread pool, each opening
the warehouse read-only for itself (docs/serving.md, "Serving beside writers").
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from costplane import __version__
from costplane.service import Project
from costplane.surfaces.server import actions, catalog, cost, findings, health, me, operations
from costplane.surfaces.server.actions import ObjectSource
from costplane.surfaces.server.bounds import bound_requests
from costplane.surfaces.server.capabilities import later_capabilities
from costplane.surfaces.server.metrics import metrics_router
from costplane.surfaces.server.problems import add_problem_handlers
from costplane.surfaces.server.report_cache import ReportCache
from costplane.surfaces.server.warm import warm_up
from costplane.surfaces.web import install_dashboard, month, token_viewers

API = "/api/v1"

DESCRIPTION = """What every tenant costs, its findings and the catalog, for finance, engineers
and tenants. Every route needs `Authorization: Bearer <token>` (`costplane token create`);
errors are RFC 9457 problem documents. See docs/api.md."""


def _serving() -> str:
    """What a writer waiting on the warehouse is told holds it."""
    return "serve"


def create_app(
    project: Project, objects: ObjectSource | None = None, *, warm: bool = False
) -> FastAPI:
    """The application serving `project` (its settings; the catalog must load, and the
    state store is opened, created and migrated if it is the embedded one). Action plans
    read Kubernetes objects from `objects` (default: the cluster of the kubeconfig). With
    `warm` (`costplane serve`), it computes the newest month's reports as it starts and
    is not ready until they are kept (warm.py)."""
    served = Project(project.settings, debug=project.debug, operation=_serving)
    served.catalog()  # a directory that is no project: say so now (exit 2), not per request
    served.state()
    bounds = {month.KIND: month.MONTHS_KEPT, month.ONE_TENANT: month.ONE_TENANT_KEPT}
    reports = ReportCache(project.settings, kept_of_kind=bounds)
    finding_pages = ReportCache(project.settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if warm:
            warm_up(served, reports)
        yield
        reports.close()
        finding_pages.close()
        served.close()  # the state store's pooled connections

    app = FastAPI(
        lifespan=lifespan,
        title="Costplane",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API}/openapi.json",
        docs_url=None,  # Swagger UI loads its script from a CDN: nothing here needs the internet
        redoc_url=None,
    )
    app.state.project = served
    app.state.objects = objects or ObjectSource()
    app.state.reports = reports
    app.state.findings = finding_pages
    add_problem_handlers(app)
    bound_requests(app)  # a query string over 8 KiB: 414 (bounds.py)
    api = APIRouter(prefix=API)
    for part in (me, catalog, cost, findings, operations, actions):
        api.include_router(part.router)
    api.include_router(later_capabilities())  # entitlements ... statements (capabilities.py)
    app.include_router(api)
    app.include_router(health.router)
    app.include_router(metrics_router(served))  # /metrics (docs/metrics.md)
    # The dashboard's pages at / (docs/dashboard.md): the same tokens and rights as the API.
    install_dashboard(app, served, token_viewers(served), app.state.reports)
    return app
