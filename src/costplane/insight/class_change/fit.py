"""Does the tenant fit the class it would move to? Its p95 use against the new class's
entitlements, environment by environment.

The use is what `report entitlements` measures (`costplane.insight.entitlements`): the
95th percentile of the hourly CPU and memory use of each environment, and the newest
size of the production databases. A class whose quota for an environment (or, for the
database, the top of its band) is below that use is short by the difference; an
environment the new class gives no quota is entitled to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from costplane.catalog import Catalog, EnvironmentKind
from costplane.insight.entitlements import Entitlements

GIB = Decimal(2**30)
GIBS = Decimal("0.001")

CHECKED = ("cpu-usage-p95", "memory-usage-p95", "database-size")
"""The entitlement items whose `used` a new class must hold."""


@dataclass(frozen=True)
class Shortfall:
    """One entitlement of the new class below the tenant's use."""

    environment: str
    entitlement: str
    entitled: Decimal
    used: Decimal
    unit: str

    @property
    def short_by(self) -> Decimal:
        return self.used - self.entitled

    def sentence(self) -> str:
        return (
            f"{self.environment} {self.entitlement}: {self.entitled} {self.unit} entitled, "
            f"{self.used} {self.unit} used (short by {self.short_by} {self.unit})"
        )


def shortfalls(catalog: Catalog, class_id: str, used: Entitlements) -> tuple[Shortfall, ...]:
    """Each checked entitlement of `class_id` below the use `used` reports (one tenant)."""
    service_class = catalog.service_classes[class_id]
    found = []
    for tenant in used.tenants:
        for environment in tenant.environments:
            kind = EnvironmentKind(environment.environment)
            quota = service_class.quota.get(kind)
            entitled = {
                "cpu-usage-p95": Decimal(0) if quota is None else quota.cpu,
                "memory-usage-p95": Decimal(0)
                if quota is None
                else (Decimal(quota.memory) / GIB).quantize(GIBS),
                "database-size": Decimal(service_class.database_band_gib.max_gib),
            }
            for item in environment.items:
                if item.entitlement not in CHECKED or item.used is None:
                    continue
                bound = entitled[item.entitlement]
                if item.used > bound:
                    found.append(
                        Shortfall(
                            environment.environment, item.entitlement, bound, item.used, item.unit
                        )
                    )
    return tuple(found)
