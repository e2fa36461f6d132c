"""What a tenant's integrations and users put through the platform, and the business
volume a migration must find again: ingress requests (`service_usage`, Traefik's
`requests` of its production namespaces) and business signals (`business_signals`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from costplane.allocation import Window
from costplane.catalog import Catalog, EnvironmentKind
from costplane.warehouse import Warehouse

INGRESS = ("traefik", "requests")
"""The (service, metric) of ingress requests in `service_usage`."""


@dataclass(frozen=True)
class Traffic:
    requests_per_day: float
    """Production ingress requests, averaged over the days that reported any."""
    business_signals: Mapping[str, int]
    """Per signal (orders_confirmed, ...): the production count over the window."""


def traffic(warehouse: Warehouse, catalog: Catalog, window: Window) -> dict[str, Traffic]:
    """Each catalog tenant's traffic in the window (zero when nothing was reported)."""
    production = {
        namespace: tenant.id
        for tenant in catalog.tenants
        for kind, environment in tenant.environments.items()
        if kind is EnvironmentKind.PRODUCTION
        for namespace in environment.namespaces
    }
    usage = warehouse.table("service_usage")
    daily = (
        usage.filter(
            (usage.day >= window.start)
            & (usage.day < window.end)
            & (usage.service == INGRESS[0])
            & (usage.metric == INGRESS[1])
            & usage.namespace.isin(list(production) or [""])
        )
        .group_by(["namespace", "day"])
        .aggregate(requests=usage.quantity.sum())
    )
    requests: dict[str, dict[object, float]] = defaultdict(lambda: defaultdict(float))
    for row in daily.to_pyarrow().to_pylist():
        requests[production[row["namespace"]]][row["day"]] += row["requests"] or 0.0
    signals = warehouse.table("business_signals")
    counted = (
        signals.filter(
            (signals.day >= window.start)
            & (signals.day < window.end)
            & (signals.environment.isnull() | (signals.environment == "production"))
        )
        .group_by(["tenant", "signal"])
        .aggregate(count=signals["count"].sum())
    )
    business: dict[str, dict[str, int]] = defaultdict(dict)
    for row in counted.to_pyarrow().to_pylist():
        business[row["tenant"]][row["signal"]] = int(row["count"] or 0)
    found = {}
    for tenant in catalog.tenants:
        days = requests.get(tenant.id, {})
        per_day = sum(days.values()) / len(days) if days else 0.0
        found[tenant.id] = Traffic(per_day, dict(sorted(business.get(tenant.id, {}).items())))
    return found
