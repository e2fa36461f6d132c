"""Liveness and readiness, for a load balancer or Kubernetes' probes (no token needed).

`/healthz` answers while the process runs. `/readyz` answers 200 when a request could be
served: the catalog loads, the state store answers and is migrated, the warehouse opens
(read-only, as requests open it), and the reports the server computes as it starts are
kept (warm.py); 503 otherwise, naming what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from costplane.errors import CostplaneError
from costplane.service import Project
from costplane.state import current_revision, head_revision
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.report_cache import ReportCache, report_cache
from costplane.surfaces.server.schemas import Health, Readiness
from costplane.surfaces.server.served import served_project

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=Readiness, responses={503: PROBLEMS[503]})
def readyz(
    project: Project = Depends(served_project), reports: ReportCache = Depends(report_cache)
) -> JSONResponse:
    checks = {
        "catalog": _check(lambda: project.catalog()),
        "state": _check(lambda: _state_current(project)),
        "warehouse": _check(lambda: _warehouse_opens(project)),
        "reports": "warming: computing the newest month's reports" if reports.warming else "ok",
    }
    ready = all(value == "ok" for value in checks.values())
    if ready:
        return JSONResponse({"status": "ready", "checks": checks})
    failing = "; ".join(f"{name}: {value}" for name, value in checks.items() if value != "ok")
    return JSONResponse(
        {
            "type": "about:blank",
            "title": "Service Unavailable",
            "status": 503,
            "detail": f"not ready: {failing}",
            "checks": checks,
        },
        status_code=503,
        media_type="application/problem+json",
    )


def _check(probe: Callable[[], object]) -> str:
    try:
        probe()
    except CostplaneError as error:
        return "; ".join(error.lines())
    except Exception as error:  # a probe reports, it never fails the probe itself
        return f"unexpected {type(error).__name__}"
    return "ok"


def _state_current(project: Project) -> None:
    revision = current_revision(project.state(create=False))
    if revision != head_revision():
        raise CostplaneError(f"at revision {revision}, needs {head_revision()}")


def _warehouse_opens(project: Project) -> None:
    with project.warehouse(create=False) as warehouse:
        warehouse.loads()
