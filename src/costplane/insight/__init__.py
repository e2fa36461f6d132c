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
    NodeRequirement,
    NodeType,
    PodDemand,
    PoolRecommendation,
    Taint,
    Toleration,
    UnplacedPod,
    first_fit_decreasing,
    nodes_needed,
    read_cluster_state,
    recommend_nodes,
    with_recommended_requests,
)
from costplane.insight.commitments import (
    CommitmentRecommendation,
    Commitments,
    CommitmentUse,
    recommend_commitments,
)
from costplane.insight.dr import (
    Evidence,
    RecoveryEvidence,
    Requirement,
    TenantRecovery,
    dr_evidence,
)
from costplane.insight.entitlements import (
    UNUSED_SHARE,
    EntitlementItem,
    Entitlements,
    EnvironmentEntitlements,
    Status,
    TenantEntitlements,
    capacity_status,
    entitlements,
)

__all__: list[str] = [
    "DEFAULT_HEADROOM",
    "UNUSED_SHARE",
    "Capacity",
    "ClusterState",
    "CommitmentRecommendation",
    "CommitmentUse",
    "Commitments",
    "EntitlementItem",
    "Entitlements",
    "EnvironmentEntitlements",
    "Evidence",
    "Item",
    "NodeRecommendations",
    "NodeRequirement",
    "NodeType",
    "PodDemand",
    "PoolRecommendation",
    "RecoveryEvidence",
    "Requirement",
    "Status",
    "Taint",
    "TenantEntitlements",
    "TenantRecovery",
    "Toleration",
    "UnplacedPod",
    "capacity_status",
    "dr_evidence",
    "entitlements",
    "first_fit_decreasing",
    "nodes_needed",
    "read_cluster_state",
    "recommend_commitments",
    "recommend_nodes",
    "with_recommended_requests",
]
