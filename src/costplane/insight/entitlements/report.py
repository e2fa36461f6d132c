"""Entitlements against use: per tenant and environment, each entitlement of its class,
what was used, a status and the money at stake. See docs/service-classes.md."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from costplane.catalog import Catalog, EnvironmentKind, ServiceClass, Tenant
from costplane.insight.dr import (
    RecoveryEvidence,
    Requirement,
    TenantRecovery,
    contracted_tenants,
    dr_evidence,
)
from costplane.insight.entitlements.observed import Observed, Workload, observe
from costplane.insight.entitlements.rules import (
    UNUSED_SHARE,
    Status,
    capacity_amount,
    capacity_status,
    level_status,
    money,
    objective_status,
)
from costplane.warehouse import Warehouse

GIB = Decimal(2**30)
CORES = Decimal("0.001")
GIBS = Decimal("0.001")
SINGLETONS = ("cron", "queue", "migration")
"""Odoo roles that run once by design (a second cron worker would run every job twice):
a workload whose name has one of these as a dash-separated part is not held to the
class's HA replicas."""
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class EntitlementItem:
    entitlement: str
    entitled: Decimal | None
    used: Decimal | None
    unit: str
    status: Status
    monthly_amount: Decimal
    basis: str
    """How `used` was measured, and the amount's formula when there is one."""


@dataclass(frozen=True)
class EnvironmentEntitlements:
    environment: str
    items: tuple[EntitlementItem, ...]


@dataclass(frozen=True)
class TenantEntitlements:
    tenant: str
    service_class: str
    environments: tuple[EnvironmentEntitlements, ...]


@dataclass(frozen=True)
class Entitlements:
    period: str
    currency: str
    unused_share: Decimal
    tenants: tuple[TenantEntitlements, ...]
    notes: tuple[str, ...] = ()
    """What a reader is told about the facts as a whole (no usage in the period)."""


def entitlements(
    warehouse: Warehouse,
    catalog: Catalog,
    period: str,
    start: dt.date,
    end: dt.date,
    tenant: str | None = None,
    unused_share: Decimal = UNUSED_SHARE,
    evidence: RecoveryEvidence | None = None,
) -> Entitlements:
    """Every contracted tenant's (or `tenant`'s) entitlements over [start, end).

    `evidence` is the same period's DR evidence when the caller already has it (the
    dashboard's tenant page shows both): not read a second time."""
    tenants = contracted_tenants(catalog, start, end, tenant)
    start_at, end_at = (dt.datetime.combine(d, dt.time()) for d in (start, end))
    observed = observe(warehouse, catalog, tenants, start_at, end_at)
    if evidence is None:
        evidence = dr_evidence(warehouse, catalog, period, start, end, tenant)
    recovery = {r.tenant: r for r in evidence.tenants}
    judge = _Judge(catalog, unused_share)
    notes = []
    if tenants and not any(seen.hours for seen in observed.values()):
        notes.append(
            f"no usage samples of these tenants' namespaces in {period}: CPU and memory "
            "are unknown (ingest or collect the month's usage first)"
        )
    return Entitlements(
        period=period,
        currency=catalog.currency,
        unused_share=unused_share,
        tenants=tuple(judge.tenant(t, observed, recovery.get(t.id)) for t in tenants),
        notes=tuple(notes),
    )


class _Judge:
    """The items of each environment, priced at the catalog's price sheet."""

    def __init__(self, catalog: Catalog, unused_share: Decimal) -> None:
        self.catalog = catalog
        self.unused_share = unused_share
        sheet = catalog.price_sheet
        self.cpu_price = sheet.cpu.per_month  # per core-month
        self.memory_price = sheet.memory.per_month  # per GiB-month
        self.database_price = sheet.database_storage.per_month
        self.log_price = sheet.log_retention.per_month
        volume = sheet.storage.get(catalog.platform.storage_class)
        self.filestore_price = None if volume is None else volume.per_month

    def tenant(
        self,
        tenant: Tenant,
        observed: dict[tuple[str, str], Observed],
        recovery: TenantRecovery | None,
    ) -> TenantEntitlements:
        service_class = self.catalog.service_classes[tenant.service_class]
        environments = []
        for kind in EnvironmentKind:
            if kind not in tenant.environments:
                continue
            seen = observed.get((tenant.id, kind.value)) or Observed()
            items = [*self._quota(service_class, kind, seen)]
            if kind.is_production:
                items.append(self._database(service_class, seen))
            items += self._storage(service_class, seen)
            items.append(self._log_retention(service_class, seen))
            if kind.is_production:
                items += self._recovery(recovery)
                items.append(self._ha(service_class, seen))
            environments.append(EnvironmentEntitlements(kind.value, tuple(items)))
        return TenantEntitlements(tenant.id, tenant.service_class, tuple(environments))

    def _quota(
        self, service_class: ServiceClass, kind: EnvironmentKind, seen: Observed
    ) -> list[EntitlementItem]:
        quota = service_class.quota.get(kind)
        cpu = quota.cpu if quota is not None else Decimal(0)
        memory = (Decimal(quota.memory) / GIB).quantize(GIBS) if quota is not None else Decimal(0)
        hours = f"95th percentile of the {seen.hours} hours it ran"
        granted = "" if quota is not None else "; the class grants no quota here"
        figures = (
            ("cpu-requests", cpu, _cores(seen.cpu_requests), "cores", self.cpu_price, "requests"),
            ("cpu-usage-p95", cpu, _cores(seen.cpu_usage), "cores", self.cpu_price, "use"),
            (
                "memory-requests",
                memory,
                _gib(seen.memory_requests),
                "GiB",
                self.memory_price,
                "requests",
            ),
            ("memory-usage-p95", memory, _gib(seen.memory_usage), "GiB", self.memory_price, "use"),
        )
        items = []
        for name, entitled, used, unit, price, what in figures:
            status = capacity_status(used, entitled, unused_share=self.unused_share)
            amount = capacity_amount(status, used, entitled, price)
            items.append(
                EntitlementItem(
                    name,
                    entitled,
                    used,
                    unit,
                    status,
                    amount,
                    f"hourly total {what}, {hours}{granted}; {_formula(status, price, unit)}",
                )
            )
        return items

    def _database(self, service_class: ServiceClass, seen: Observed) -> EntitlementItem:
        band = service_class.database_band_gib
        used = _gib(seen.database_bytes)
        entitled = Decimal(band.max_gib)
        status = capacity_status(
            used, entitled, floor=Decimal(band.min_gib), unused_share=self.unused_share
        )
        amount = capacity_amount(status, used, entitled, self.database_price)
        return EntitlementItem(
            "database-size",
            entitled,
            used,
            "GiB",
            status,
            amount,
            f"newest database size against the band {band.min_gib}-{band.max_gib} GiB; "
            + _formula(status, self.database_price, "GiB"),
        )

    def _storage(self, service_class: ServiceClass, seen: Observed) -> list[EntitlementItem]:
        """The file store against the volume the class renders (`blueprint.filestore.size`,
        priced at the platform's storage class); object storage, and a file store the class
        keeps there, are measured but unbounded."""
        items = []
        filestore = service_class.blueprint.filestore
        if seen.file_store_bytes is not None and not filestore.object_storage:
            used = _gib(seen.file_store_bytes)
            entitled = Decimal(filestore.size) / GIB
            price = self.filestore_price
            status = capacity_status(used, entitled, unused_share=self.unused_share)
            amount = ZERO if price is None else capacity_amount(status, used, entitled, price)
            basis = "Odoo attachments outside the database, against the class's file store volume"
            if price is not None:
                basis += "; " + _formula(status, price, "GiB")
            items.append(
                EntitlementItem("file-store", entitled, used, "GiB", status, amount, basis)
            )
        elif seen.file_store_bytes is not None:
            items.append(_unmetered("file-store", seen.file_store_bytes, "Odoo attachments"))
        if seen.object_storage_bytes is not None:
            items.append(
                _unmetered(
                    "object-storage", seen.object_storage_bytes, "bytes stored on the last day"
                )
            )
        return items

    def _log_retention(self, service_class: ServiceClass, seen: Observed) -> EntitlementItem:
        entitled = Decimal(service_class.log_retention_days)
        used = seen.log_retention_days
        status = level_status(used, entitled)
        amount = ZERO
        basis = "the namespace's costplane.io/log-retention-days annotation"
        if status is Status.OVER and used is not None:
            daily = _gib(seen.log_bytes_per_day) or Decimal(0)
            amount = money(daily * (used - entitled) * self.log_price)
            basis += (
                f"; {daily} GiB a day x {used - entitled} extra days x "
                f"{self.log_price:f} a GiB-month"
            )
        return EntitlementItem("log-retention", entitled, used, "days", status, amount, basis)

    def _recovery(self, recovery: TenantRecovery | None) -> list[EntitlementItem]:
        if recovery is None:
            return []
        found = {r.requirement: r for r in recovery.requirements}
        return [
            _objective("backup-rpo", found["rpo"], "minutes"),
            _objective("restore-test", found["restore-tested"], "days"),
        ]

    def _ha(self, service_class: ServiceClass, seen: Observed) -> EntitlementItem:
        held = [w for w in seen.workloads if not _singleton(w)]
        entitled = Decimal(service_class.ha_replicas)
        if not held:
            return EntitlementItem(
                "ha-replicas",
                entitled,
                None,
                "replicas",
                Status.UNKNOWN,
                ZERO,
                "no production Deployment or StatefulSet in the inventory",
            )
        fewest = min(held, key=lambda w: (w.replicas, w.name))
        used = Decimal(fewest.replicas)
        status = level_status(used, entitled)
        amount = ZERO
        basis = f"fewest replicas: {fewest.kind} {fewest.name} ({fewest.replicas})"
        if status is not Status.SHORT:  # replicas beyond the class, on every workload
            extra = [w for w in held if w.replicas > entitled]
            amount = money(
                sum(
                    (
                        (w.replicas - entitled)
                        * (w.cpu_cores * self.cpu_price + w.memory_bytes / GIB * self.memory_price)
                        for w in extra
                    ),
                    Decimal(0),
                )
            )
            if extra:
                status = Status.OVER
                basis += "; beyond the class: " + ", ".join(f"{w.name} {w.replicas}" for w in extra)
                basis += " (extra replicas x the pod's requests at the price sheet)"
        return EntitlementItem("ha-replicas", entitled, used, "replicas", status, amount, basis)


def _objective(name: str, requirement: Requirement, unit: str) -> EntitlementItem:
    achieved = requirement.achieved if isinstance(requirement.achieved, Decimal) else None
    objective = Decimal(requirement.required)
    return EntitlementItem(
        name,
        objective,
        achieved,
        unit,
        objective_status(achieved, objective),
        ZERO,
        requirement.detail,
    )


def _singleton(workload: Workload) -> bool:
    return any(part in SINGLETONS for part in workload.name.split("-"))


def _formula(status: Status, price: Decimal, unit: str) -> str:
    if status is Status.OVER:
        return f"(used - entitled) x {price:f} a {_per(unit)}-month"
    if status is Status.UNUSED:
        return f"(entitled - used) x {price:f} a {_per(unit)}-month"
    return "no money at stake"


def _per(unit: str) -> str:
    return {"cores": "core", "GiB": "GiB"}.get(unit, unit)


def _cores(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(CORES)


def _gib(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value / GIB).quantize(GIBS)


def _unmetered(name: str, used: Decimal, basis: str) -> EntitlementItem:
    return EntitlementItem(
        name, None, _gib(used), "GiB", Status.UNMETERED, ZERO, f"{basis}; the class sets no bound"
    )
