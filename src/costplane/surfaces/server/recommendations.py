"""Recommendations: workloads' requests, node pools, commitments, and placement.

Each route calls `recommend ...`'s operation and answers its JSON document. Workload
rightsizing is per tenant: a tenant's token gets its own workloads (the operation is
narrowed to it). Node pools and commitments size the whole platform and placement weighs
every tenant's fee and margin: they are the host's (`read_fleet`, `read_margin`), and
none writes anything (no `--gitops` patches over the API).
"""

from __future__ import annotations

from decimal import Decimal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from costplane.errors import InputError
from costplane.governance import PriceSource
from costplane.insight import Commitments, NodeRecommendations
from costplane.insight.placement import Placement
from costplane.insight.rightsizing import (
    DEFAULT_STRATEGY,
    STRATEGIES,
    StrategyOptions,
    WorkloadRecommendations,
)
from costplane.service import (
    CommitmentsRequest,
    NodesRequest,
    PlacementRequest,
    Principal,
    Project,
    Requests,
    Right,
    WorkloadRequest,
    recommend_commitments,
    recommend_nodes,
    recommend_placement,
    recommend_workloads,
)
from costplane.surfaces.server.auth import allowed
from costplane.surfaces.server.derived import model_of
from costplane.surfaces.server.problems import PROBLEMS
from costplane.surfaces.server.responses import document
from costplane.surfaces.server.scope import narrowed
from costplane.surfaces.server.served import served_project

router = APIRouter(prefix="/recommendations", tags=["recommendations"], responses=PROBLEMS)
DEFAULTS = StrategyOptions()

WorkloadsDocument = model_of(WorkloadRecommendations, "WorkloadsDocument")
NodesDocument = model_of(NodeRecommendations, "NodesDocument")
CommitmentsDocument = model_of(Commitments, "CommitmentsDocument")
PlacementDocument = model_of(Placement, "PlacementDocument")

MONTH = Query(
    None,
    pattern=r"^[0-9]{4}-[0-9]{2}$",
    description="A calendar month, YYYY-MM (default: the newest allocated month)",
    examples=["2026-10"],
)


@router.get("/workloads", response_model=WorkloadsDocument)
def workloads(
    tenant: str | None = Query(
        None, max_length=100, description="Only this tenant's (a tenant's token: its own)"
    ),
    namespace: str | None = Query(None, max_length=253, description="Only this namespace"),
    strategy: str = Query(
        DEFAULT_STRATEGY, max_length=50, description=f"One of: {', '.join(sorted(STRATEGIES))}"
    ),
    percentile: float = Query(
        DEFAULTS.percentile, gt=0, le=100, description="CPU: this percentile of hourly use"
    ),
    buffer: float = Query(
        DEFAULTS.memory_buffer_percent, ge=0, le=1000, description="Memory: peak plus this %"
    ),
    window: int = Query(DEFAULTS.window_days, ge=1, le=366, description="History, in days"),
    min_samples: int = Query(
        DEFAULTS.min_samples, ge=1, le=100_000, description="Fewer hourly samples: none"
    ),
    prices: PriceSource = Query(PriceSource.ALLOCATION, description="Savings at whose prices"),
    who: Principal = Depends(allowed(Right.READ_RECOMMENDATIONS)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Per workload container: requests, the recommendation, its evidence and monthly
    saving (`recommend workloads -o json`)."""
    scope = narrowed(project, who, tenant)
    if strategy not in STRATEGIES:
        raise InputError(f"strategy {strategy!r}: one of {', '.join(sorted(STRATEGIES))}")
    options = StrategyOptions(percentile, buffer, window, min_samples)
    request = WorkloadRequest(scope, namespace, strategy, options, prices)
    return document(recommend_workloads(project, request).result)


@router.get("/nodes", response_model=NodesDocument)
def nodes(
    headroom: Decimal = Query(
        Decimal(20), ge=0, lt=100, description="Percent of each node's allocatable kept free"
    ),
    days: int = Query(30, ge=1, le=366, description="Days of bill and usage"),
    requests: Requests = Query(Requests.CURRENT, description="Current or recommended requests"),
    spread_zones: bool = Query(True, description="Keep a node in every zone a pool spans"),
    any_type: bool = Query(False, description="Any node type its cluster runs"),
    _who: Principal = Depends(allowed(Right.READ_FLEET)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Per cluster and node pool: the node type and count that hold every pod's requests
    (`recommend nodes -o json`)."""
    request = NodesRequest(headroom / 100, days, requests, spread_zones, any_type)
    return document(recommend_nodes(project, request))


@router.get("/commitments", response_model=CommitmentsDocument)
def commitments(
    days: int = Query(90, ge=30, le=90, description="Days of bill the baseline is read from"),
    _who: Principal = Depends(allowed(Right.READ_FLEET)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Per resource type and SKU billed by the hour: the commitment that saves most
    (`recommend commitments -o json`)."""
    return document(recommend_commitments(project, CommitmentsRequest(days=days)))


@router.get("/placement", response_model=PlacementDocument)
def placement(
    period: str | None = MONTH,
    _who: Principal = Depends(allowed(Right.READ_MARGIN)),
    project: Project = Depends(served_project),
) -> JSONResponse:
    """Each tenant, shared or dedicated, scored, with each model's fee, cost and margin
    (`recommend placement -o json`): every tenant's margin, so the roles reading margin."""
    return document(recommend_placement(project, PlacementRequest(period)))
