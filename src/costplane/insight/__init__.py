"""Insight: what the platform should look like, with the money: rightsizing, capacity,
commitments, entitlements against use, DR evidence, forecasts, budgets, anomalies and
tenant placement.

Each part is a sub-package that reads warehouse facts, the allocation and the catalog and
returns typed results; none writes. Governance turns some of them into findings (the
`requests-oversized` and `cluster-idle-capacity` policies read the same computation), and
the service layer hands them to every surface. See docs/architecture.md.
"""

from costplane.insight.capacity import (
    DEFAULT_HEADROOM,
    Capacity,
    ClusterState,
    Item,
    NodeRecommendations,
    NodeType,
    PodDemand,
    PoolRecommendation,
    Requirement,
    Taint,
    Toleration,
    UnplacedPod,
    first_fit_decreasing,
    nodes_needed,
    read_cluster_state,
    recommend_nodes,
)
from costplane.insight.commitments import (
    CommitmentRecommendation,
    Commitments,
    CommitmentUse,
    recommend_commitments,
)

__all__: list[str] = [
    "DEFAULT_HEADROOM",
    "Capacity",
    "ClusterState",
    "CommitmentRecommendation",
    "CommitmentUse",
    "Commitments",
    "Item",
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
    "recommend_commitments",
    "recommend_nodes",
]
