"""Idle node capacity: how many nodes of which type each pool needs to hold its pods'
requests with headroom, and what the rest costs (docs/rightsizing.md)."""

from costplane.insight.capacity.demand import PodDemand, Requirement, Taint, Toleration
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

__all__ = [
    "DEFAULT_HEADROOM",
    "Capacity",
    "ClusterState",
    "Item",
    "NodePool",
    "NodeRecommendations",
    "NodeType",
    "PodDemand",
    "PoolRecommendation",
    "Requirement",
    "Taint",
    "Toleration",
    "UnplacedPod",
    "first_fit_decreasing",
    "nodes_needed",
    "read_cluster_state",
    "recommend_nodes",
]
