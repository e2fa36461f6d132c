"""Entitlements against use: per tenant and environment, each entitlement of its class
(quota, database band, storage, log retention, RPO, restore tests, HA) against what the
warehouse shows was used, with a status and the money at stake. See
docs/service-classes.md."""

from costplane.insight.entitlements.report import (
    EntitlementItem,
    Entitlements,
    EnvironmentEntitlements,
    TenantEntitlements,
    entitlements,
)
from costplane.insight.entitlements.rules import UNUSED_SHARE, Status, capacity_status

__all__ = [
    "UNUSED_SHARE",
    "EntitlementItem",
    "Entitlements",
    "EnvironmentEntitlements",
    "Status",
    "TenantEntitlements",
    "capacity_status",
    "entitlements",
]
