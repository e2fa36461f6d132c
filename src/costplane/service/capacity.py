"""Capacity recommendations: idle node capacity per pool (`recommend_nodes`) and
commitments (`recommend_commitments`). The computations are `costplane.insight`'s; this
opens the project's stores and hands them the catalog and the options."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from costplane.errors import InputError
from costplane.insight import (
    DEFAULT_HEADROOM,
    Commitments,
    NodeRecommendations,
    read_cluster_state,
    with_recommended_requests,
)
from costplane.insight import recommend_commitments as best_commitments
from costplane.insight import recommend_nodes as pack_pools
from costplane.service.project import Project
from costplane.service.recommend import WorkloadRequest, recommend_workloads


class Requests(enum.StrEnum):
    """Which requests the packing holds: the pods' own, or a rightsizing's."""

    CURRENT = "current"
    RECOMMENDED = "recommended"


@dataclass(frozen=True)
class NodesRequest:
    headroom: Decimal = DEFAULT_HEADROOM
    """The share of each node kept free (0.2: nodes filled to 80 % of allocatable)."""
    days: int = 30
    """The window the bill prices nodes over and the usage shows pods in, ending at the
    newest inventory snapshot."""
    requests: Requests = Requests.CURRENT
    spread_zones: bool = True
    """Keep a node in every availability zone a pool spans now."""
    any_type: bool = False
    """Let a pool change to any node type its cluster runs, not only its own."""

    def __post_init__(self) -> None:
        if not Decimal(0) <= self.headroom < 1:
            raise InputError(f"--headroom {self.headroom * 100}: expected 0 to 99 (percent)")
        if self.days < 1:
            raise InputError(f"--days {self.days}: expected at least 1")


def recommend_nodes(project: Project, request: NodesRequest) -> NodeRecommendations:
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        state = read_cluster_state(warehouse, catalog, request.days)
    demands = None
    if request.requests is Requests.RECOMMENDED:  # the default strategy, as govern sizes
        sized = recommend_workloads(project, WorkloadRequest()).result
        demands = with_recommended_requests(state.demands, sized.containers)
    return pack_pools(
        state,
        catalog.currency,
        demands=demands,
        headroom=request.headroom,
        spread_zones=request.spread_zones,
        any_type=request.any_type,
    )


@dataclass(frozen=True)
class CommitmentsRequest:
    days: int = 90
    """The window of the bill the baseline is read from (30 to 90 days), ending at its end."""


def recommend_commitments(project: Project, request: CommitmentsRequest) -> Commitments:
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        return best_commitments(warehouse, catalog, request.days)
