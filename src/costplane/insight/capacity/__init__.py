"""Idle node capacity: how many nodes of which type each pool needs to hold its pods'
requests with headroom, and what the rest costs (docs/rightsizing.md)."""

from costplane.insight.capacity.demand import NodeRequirement, PodDemand, Taint, Toleration
from costplane.insight.capacity.packing import Capacity, Item, first_fit_decreasing, nodes_needed
from costplane.insight.capacity.plan import (
    DEFAULT_HEADROOM,
    ClusterState,
    NodeRecommendations,
    PoolRecommendation,
    UnplacedPod,
    read_cluster_state,
    recommend_nodes,
)
from costplane.insight.capacity.pools import NodePool, NodeType
from costplane.insight.capacity.recommended import with_recommended_requests

__all__ = [
    "DEFAULT_HEADROOM",
    "Capacity",
    "ClusterState",
    "Item",
    "NodePool",
    "NodeRecommendations",
    "NodeRequirement",
    "NodeType",
    "PodDemand",
    "PoolRecommendation",
    "Taint",
    "Toleration",
    "UnplacedPod",
    "first_fit_decreasing",
    "nodes_needed",
    "read_cluster_state",
    "recommend_nodes",
    "with_recommended_requests",
]
