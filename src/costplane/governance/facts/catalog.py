"""Entitlements from the catalog: what each tenant's service class promises.

Keyed by tenant (`ResourceRef.tenant`, or the name of a `tenant` resource); the
quota facts also need the resource's environment kind (`ResourceRef.environment`:
production, staging, development or dr), as the inventory labels give it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from costplane.catalog import Catalog, EnvironmentKind, ServiceClass
from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import FactProvider
from costplane.governance.inventory.resources import ResourceRef

_DAY = Decimal(86400)

Entitlement = Callable[[ServiceClass, EnvironmentKind | None], object]

_ENTITLEMENTS: dict[str, Entitlement] = {
    "entitlements": lambda sc, _env: sc.model_dump(mode="json"),
    "entitled_cpu": lambda sc, env: _quota(sc, env, "cpu"),
    "entitled_memory": lambda sc, env: _quota(sc, env, "memory"),
    "entitled_database_max": lambda sc, _env: Decimal(sc.database_band_gib.max_gib) * 2**30,
    "entitled_snapshot_retention": lambda sc, _env: sc.snapshot_retention_days * _DAY,
    "entitled_log_retention": lambda sc, _env: sc.log_retention_days * _DAY,
    "entitled_rpo": lambda sc, _env: Decimal(sc.backup.rpo_minutes * 60),
    "entitled_restore_test_interval": lambda sc, _env: sc.backup.restore_test_interval_days * _DAY,
    "entitled_ha_replicas": lambda sc, _env: Decimal(sc.ha_replicas),
}


class CatalogFacts(FactProvider):
    """The `entitlements` and `entitled_*` facts, read from a loaded catalog."""

    FACTS = (
        FactDefinition(
            "entitlements",
            FactType.MAPPING,
            "the tenant's service class as the catalog has it (read parts with `key`)",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_cpu",
            FactType.QUANTITY,
            "CPU quota of the resource's environment kind in its tenant's class",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_memory",
            FactType.BYTES,
            "memory quota of the resource's environment kind in its tenant's class",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_database_max",
            FactType.BYTES,
            "the top of the class's database sizing band",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_snapshot_retention",
            FactType.DURATION,
            "how long the class keeps volume snapshots",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_log_retention",
            FactType.DURATION,
            "how long the class keeps logs",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_rpo",
            FactType.DURATION,
            "the class's recovery point objective",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_restore_test_interval",
            FactType.DURATION,
            "how often the class requires a verified restore",
            subject="tenant",
        ),
        FactDefinition(
            "entitled_ha_replicas",
            FactType.NUMBER,
            "replicas of each production workload in the class",
            subject="tenant",
        ),
    )

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._class_of = {tenant.id: tenant.service_class for tenant in catalog.tenants}

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        entitlement = _ENTITLEMENTS[request.name]
        answers: list[object] = []
        for ref in subjects:
            service_class = self._service_class(ref)
            environment = _environment(ref.environment)
            answers.append(
                entitlement(service_class, environment) if service_class is not None else None
            )
        return answers

    def _service_class(self, ref: ResourceRef) -> ServiceClass | None:
        tenant_id = ref.tenant or (ref.name if ref.kind == "tenant" else None)
        class_id = self._class_of.get(tenant_id or "", ref.service_class)
        return self.catalog.service_classes.get(class_id) if class_id else None


def _quota(service_class: ServiceClass, environment: EnvironmentKind | None, part: str) -> object:
    if environment is None or environment not in service_class.quota:
        return None
    quota = service_class.quota[environment]
    return Decimal(quota.cpu) if part == "cpu" else Decimal(quota.memory)


def _environment(label: str | None) -> EnvironmentKind | None:
    try:
        return EnvironmentKind(label) if label else None
    except ValueError:
        return None
