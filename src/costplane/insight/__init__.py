"""Insight: what the platform should look like, with the money: rightsizing, capacity,
commitments, entitlements against use, DR evidence, forecasts, budgets, anomalies and
tenant placement.

Each part is a sub-package that reads warehouse facts, the allocation and the catalog and
returns typed results; none writes. Governance turns some of them into findings (the
`requests-oversized` and `cluster-idle-capacity` policies read the same computation), and
the service layer hands them to every surface. See docs/architecture.md.
"""

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
    "UNUSED_SHARE",
    "EntitlementItem",
    "Entitlements",
    "EnvironmentEntitlements",
    "Evidence",
    "RecoveryEvidence",
    "Requirement",
    "Status",
    "TenantEntitlements",
    "TenantRecovery",
    "capacity_status",
    "dr_evidence",
    "entitlements",
]
