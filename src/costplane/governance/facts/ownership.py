"""Who a resource belongs to, as facts a policy can test: `tenant`, `environment`,
`service_class` and `namespace_role` (see `ownership.py` for how they are resolved),
and `entitled_sleep_share`, the share of the week the tenant's class puts
non-production environments to sleep.

    - fact: environment
      op: in
      value: [development, staging]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from costplane.catalog import Catalog, ServiceClass, SleepSchedule
from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import FactProvider
from costplane.governance.facts.window import namespace_of
from costplane.governance.inventory.resources import ResourceRef
from costplane.governance.ownership import Ownership

CATALOG_NAMES = frozenset({"entitled_sleep_share"})
WEEK_HOURS = Decimal(168)


class OwnershipFacts(FactProvider):
    """Owners from resolved refs, namespace roles from `ownership`, classes from the catalog."""

    FACTS = (
        FactDefinition("tenant", FactType.TEXT, "the tenant the resource belongs to"),
        FactDefinition(
            "environment",
            FactType.TEXT,
            "the environment kind it belongs to: production, staging, development or dr",
        ),
        FactDefinition("service_class", FactType.TEXT, "its tenant's service class"),
        FactDefinition(
            "namespace_role",
            FactType.TEXT,
            "its namespace's role: tenant, shared, platform, or unknown (cost cannot be placed)",
        ),
        FactDefinition(
            "entitled_sleep_share",
            FactType.PERCENT,
            "the percentage of the week its class's sleep schedule keeps non-production asleep "
            "(none: the class has no schedule)",
        ),
    )

    def __init__(self, ownership: Ownership, catalog: Catalog | None = None) -> None:
        self.ownership = ownership
        self.catalog = catalog

    def provides(self, name: str) -> bool:
        if name in CATALOG_NAMES:
            return self.catalog is not None
        return name in self.NAMES

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        name = request.name
        if name == "namespace_role":
            return [self._role(ref) for ref in subjects]
        if name == "entitled_sleep_share":
            return [self._sleep_share(ref) for ref in subjects]
        return [getattr(ref, name) for ref in subjects]

    def _role(self, ref: ResourceRef) -> str | None:
        namespace = namespace_of(ref)
        return self.ownership.namespace(ref.cluster, namespace).role if namespace else None

    def _sleep_share(self, ref: ResourceRef) -> Decimal | None:
        service_class = self._class(ref)
        if service_class is None or service_class.sleep_schedule is None:
            return None
        return asleep_share(service_class.sleep_schedule)

    def _class(self, ref: ResourceRef) -> ServiceClass | None:
        assert self.catalog is not None
        class_id = self.ownership.service_class(ref.tenant) or ref.service_class
        return self.catalog.service_classes.get(class_id or "")


def asleep_share(schedule: SleepSchedule) -> Decimal:
    """Percent of a week asleep: awake from `wake_at` to `sleep_at` on each listed weekday
    (kube-green's semantics: asleep from the last listed day's evening to the next one's
    morning)."""
    day = dt.datetime.combine(dt.date.min, schedule.wake_at)
    awake = dt.datetime.combine(dt.date.min, schedule.sleep_at) - day
    if awake <= dt.timedelta(0):
        awake += dt.timedelta(days=1)
    awake_hours = Decimal(int(awake.total_seconds())) / 3600 * len(schedule.weekdays)
    return (WEEK_HOURS - awake_hours) * 100 / WEEK_HOURS
