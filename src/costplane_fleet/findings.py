"""planted.json: every planted problem with its resource and monthly waste, computed from the
generated data by the definitions in docs/fleet.md (the scoring contract for policies)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costplane.catalog import EnvironmentKind, ServiceClass
from costplane_fleet.databases import DatabaseStats, database_name, server_of
from costplane_fleet.kubernetes import (
    LOG_RETENTION_ANNOTATION,
    RELEASED_GIB,
    released_claim,
    snapshot_times,
    uid_of,
)
from costplane_fleet.offering import CURRENCY, PRICE_SHEET, SERVICE_CLASSES
from costplane_fleet.planted import KINDS, KRR_DAYS, RIGHTSIZING_KINDS, Plants
from costplane_fleet.spec import FleetSpec
from costplane_fleet.tenants import TenantProfile
from costplane_fleet.workloads import GI, ORPHAN_PVC, Namespace, namespace_name

MONTH_HOURS = Decimal(730)
CENT = Decimal("0.01")
IDLE_WINDOW_DAYS = 30
DAY_US = 86_400 * 1_000_000
MIB = 2**20


def _epoch_us(moment: dt.datetime) -> int:
    """A naive UTC datetime as microseconds since the epoch."""
    return (moment - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)


def _money(x: Decimal) -> str:
    return str(x.quantize(CENT, ROUND_HALF_UP))


def _codes(table: pa.Table, column: str) -> tuple[np.ndarray, list[str]]:
    """A dictionary-encoded column as (per-row codes, values)."""
    array = table.column(column).combine_chunks()
    if not pa.types.is_dictionary(array.type):
        array = array.dictionary_encode()
    return array.indices.to_numpy(zero_copy_only=False), array.dictionary.to_pylist()


@dataclass(frozen=True)
class _Rows:
    """The rows of a few namespaces of a fact table, found in one pass over it."""

    table: pa.Table
    cluster: np.ndarray
    namespace: np.ndarray
    clusters: list[str]
    namespaces: list[str]

    @classmethod
    def of(cls, table: pa.Table, namespaces: set[str]) -> _Rows:
        ns_codes, ns_values = _codes(table, "namespace")
        wanted = [k for k, v in enumerate(ns_values) if v in namespaces]
        rows = np.flatnonzero(np.isin(ns_codes, wanted))
        sub = table.take(pa.array(rows))
        for k, field in enumerate(sub.schema):
            if pa.types.is_dictionary(field.type):  # keep only the values these rows use
                compact = pc.dictionary_encode(sub.column(k).cast(field.type.value_type))
                sub = sub.set_column(k, field.name, compact)
        cluster, clusters = _codes(sub, "cluster")
        namespace, names = _codes(sub, "namespace")
        return cls(sub, cluster, namespace, clusters, names)

    def where(self, cluster: str, namespace: str) -> np.ndarray:
        """A row mask of the subset for one namespace of one cluster."""
        if cluster not in self.clusters or namespace not in self.namespaces:
            return np.zeros(self.table.num_rows, dtype=bool)
        in_cluster = self.cluster == self.clusters.index(cluster)
        return np.asarray(in_cluster & (self.namespace == self.namespaces.index(namespace)))

    def values(self, column: str) -> np.ndarray:
        return np.asarray(self.table.column(column).to_numpy())

    def matches(self, column: str, test: Callable[[str], bool]) -> np.ndarray:
        """A row mask of the subset: the rows whose `column` passes `test`."""
        codes, values = _codes(self.table, column)
        return np.asarray(np.array([test(v) for v in values], dtype=bool)[codes])


def _prefix(workload: str) -> Callable[[str], bool]:
    """Whether a pod name belongs to the workload (Deployment pods are `<name>-<hash>-<id>`)."""
    return lambda pod: pod.startswith(f"{workload}-")


@dataclass(frozen=True)
class Evidence:
    """What the waste is measured from: the usage samples and log volumes of the planted
    namespaces (found in one pass over each table) and the database sizes."""

    samples: _Rows
    hour: np.ndarray
    """Each sample's hour, in microseconds since the epoch."""
    logs: _Rows
    db: DatabaseStats
    plants: Plants
    spec: FleetSpec

    @classmethod
    def of(
        cls,
        plants: Plants,
        usage: pa.Table,
        service_usage: pa.Table,
        db: DatabaseStats,
        spec: FleetSpec,
    ) -> Evidence:
        queried = {
            namespace_name(tid, env)
            for kind in (
                "requests-oversized",
                "nonprod-idle",
                "log-retention-exceeds-class",
                *RIGHTSIZING_KINDS,
            )
            for tid, env in plants.by_kind.get(kind, {}).items()
        }
        samples = _Rows.of(usage, queried)
        hour = samples.values("hour").astype("datetime64[us]").astype(np.int64)
        return cls(samples, hour, _Rows.of(service_usage, queried), db, plants, spec)

    def hours_since(self, days: int) -> np.ndarray:
        """A row mask of the samples: the last `days` days of the window."""
        return np.asarray(self.hour >= _epoch_us(self.spec.end_at) - days * DAY_US)


@dataclass(frozen=True)
class Plant:
    """One planted problem: its kind, its tenant and the namespace it lives in."""

    kind: str
    tenant: TenantProfile
    environment: EnvironmentKind
    namespace: Namespace

    @property
    def service_class(self) -> ServiceClass:
        return SERVICE_CLASSES[self.tenant.service_class]

    def record(
        self,
        resource_kind: str,
        namespace: str | None,
        name: str,
        waste: Decimal,
        detail: dict[str, Any],
    ) -> Record:
        return {
            "kind": self.kind,
            "resource": {"kind": resource_kind, "namespace": namespace, "name": name},
            "tenant": self.tenant.id,
            "environment": self.environment.value,
            "monthly_waste": _money(waste),
            "currency": CURRENCY,
            "detail": detail,
        }


Record = dict[str, Any]


def labels_missing(p: Plant, e: Evidence) -> list[Record]:
    """The `<tenant>-migration` namespace: not in the catalog, so no environment."""
    record = p.record(
        "Namespace", None, f"{p.tenant.id}-migration", Decimal(0), {"cluster": p.tenant.cluster}
    )
    return [{**record, "environment": None}]


def requests_oversized(p: Plant, e: Evidence) -> list[Record]:
    """odoo-cron's requests against KRR's recommendation over the last KRR_DAYS."""
    w = next(w for w in p.namespace.workloads if w.name == "odoo-cron")
    c = w.containers[0]
    sel = (
        e.samples.where(p.tenant.cluster, p.namespace.name)
        & e.hours_since(KRR_DAYS)
        & e.samples.matches("container", c.name.__eq__)
        & e.samples.matches("pod", _prefix(w.name))
    )
    n_samples = int(sel.sum())
    assert n_samples > 0
    # KRR 1.29's simple strategy, rounded as KRR rounds (up to 1m and 1Mi, floors 10m and
    # 100Mi): the default strategy of `costplane recommend workloads` (docs/rightsizing.md)
    p95 = float(np.percentile(e.samples.values("cpu_usage_cores")[sel], 95))
    cpu_rec = Decimal(max(math.ceil(p95 * 10**3), 10)) / 1000
    memory_peak = float(e.samples.values("memory_peak_bytes")[sel].max())
    mem_rec = Decimal(max(math.ceil(memory_peak * (1 + 15 / 100) * (1 / MIB)), 100) * MIB)
    cpu_req = Decimal(c.cpu_request_m) / 1000
    mem_req = Decimal(c.memory_request)
    per_hour = (
        max(Decimal(0), cpu_req - cpu_rec) * PRICE_SHEET.cpu.canonical
        + max(Decimal(0), mem_req - mem_rec) / GI * PRICE_SHEET.memory.canonical
    )
    detail = {
        "container": c.name,
        "cpu_request_cores": str(cpu_req),
        "cpu_recommendation_cores": str(cpu_rec),
        "memory_request_bytes": c.memory_request,
        "memory_recommendation_bytes": int(mem_rec),
        "samples": n_samples,
    }
    waste = w.replicas * per_hour * MONTH_HOURS
    return [p.record("Deployment", p.namespace.name, w.name, waste, detail)]


def nonprod_idle(p: Plant, e: Evidence) -> list[Record]:
    """The namespace's requests over the last IDLE_WINDOW_DAYS, as a month."""
    days = min(IDLE_WINDOW_DAYS, e.spec.days)
    sel = e.samples.where(p.tenant.cluster, p.namespace.name) & e.hours_since(days)
    cores = Decimal(repr(float(e.samples.values("cpu_request_cores")[sel].sum())))
    mem = Decimal(int(e.samples.values("memory_request_bytes")[sel].sum()))
    cost = cores * PRICE_SHEET.cpu.canonical + mem / GI * PRICE_SHEET.memory.canonical
    waste = cost * MONTH_HOURS / (days * 24)
    return [p.record("Namespace", None, p.namespace.name, waste, {"window_days": days})]


def snapshot_stale(p: Plant, e: Evidence) -> list[Record]:
    """The snapshot kept past the class's retention."""
    waste = p.namespace.filestore_gib * PRICE_SHEET.snapshot.per_month
    return [
        p.record(
            "VolumeSnapshot",
            p.namespace.name,
            f"odoo-filestore-{created:%Y%m%d%H%M}",
            waste,
            {
                "created": created.isoformat() + "Z",
                "retention_days": p.service_class.snapshot_retention_days,
            },
        )
        for created, stale in snapshot_times(p.namespace, e.plants, e.spec)
        if stale
    ]


def volume_orphaned(p: Plant, e: Evidence) -> list[Record]:
    """An unmounted claim (even tenant index) or a Released volume (odd)."""
    per_gib = PRICE_SHEET.storage["nimbus-ssd"].per_month
    if p.tenant.index % 2 == 0:
        detail: dict[str, Any] = {"storage_class": "nimbus-ssd", "capacity_gib": 20}
        return [
            p.record("PersistentVolumeClaim", p.namespace.name, ORPHAN_PVC, 20 * per_gib, detail)
        ]
    claim = released_claim(p.namespace.name)
    pv = f"pvc-{uid_of(p.tenant.cluster, 'PersistentVolumeClaim', p.namespace.name, claim)}"
    detail = {"storage_class": "nimbus-ssd", "capacity_gib": RELEASED_GIB, "phase": "Released"}
    return [p.record("PersistentVolume", None, pv, RELEASED_GIB * per_gib, detail)]


def backup_set(p: Plant, e: Evidence) -> list[Record]:
    """The production database's backups: too old, or never restored in time."""
    backup = p.service_class.backup
    detail = {
        "rpo_minutes": backup.rpo_minutes,
        "restore_test_interval_days": backup.restore_test_interval_days,
    }
    name = database_name(p.tenant.id, p.environment)
    return [p.record("backup-set", p.namespace.name, name, Decimal(0), detail)]


def redis_maxmemory_unset(p: Plant, e: Evidence) -> list[Record]:
    return [p.record("cache", None, p.tenant.redis_server, Decimal(0), {})]


def database_over_band(p: Plant, e: Evidence) -> list[Record]:
    """The production database's latest size above the class's band."""
    j = next(
        k
        for k, d in enumerate(e.db.databases)
        if d.tenant.id == p.tenant.id and d.environment is p.environment
    )
    size = int(e.db.size_bytes[j, -1])
    max_gib = p.service_class.database_band_gib.max_gib
    waste = (Decimal(size) / GI - max_gib) * PRICE_SHEET.database_storage.per_month
    detail = {
        "server": server_of(p.tenant, p.environment),
        "size_bytes": size,
        "max_gib": max_gib,
    }
    return [p.record("database", None, database_name(p.tenant.id, p.environment), waste, detail)]


def image_tag_mutable(p: Plant, e: Evidence) -> list[Record]:
    detail = {"image": "registry.example.com/odoo:latest"}
    return [p.record("Deployment", p.namespace.name, "odoo-web", Decimal(0), detail)]


def ingress_route(p: Plant, e: Evidence) -> list[Record]:
    """The tenant's IngressRoute: without TLS, or without a rate limit."""
    return [p.record("IngressRoute", p.namespace.name, "odoo", Decimal(0), {})]


def log_retention_exceeds_class(p: Plant, e: Evidence) -> list[Record]:
    """The days kept beyond the class's retention, times the daily log volume."""
    ns = p.namespace
    assert ns.log_retention_days is not None
    is_log = e.logs.matches("service", "logs".__eq__)
    quantity = e.logs.values("quantity")[e.logs.where(p.tenant.cluster, ns.name) & is_log]
    daily_gib = Decimal(repr(float(quantity.sum()))) / GI / e.spec.days
    extra = ns.log_retention_days - p.service_class.log_retention_days
    waste = daily_gib * extra * PRICE_SHEET.log_retention.per_month
    detail = {
        LOG_RETENTION_ANNOTATION: ns.log_retention_days,
        "class_days": p.service_class.log_retention_days,
    }
    return [p.record("Namespace", None, ns.name, waste, detail)]


RECORDS: dict[str, Callable[[Plant, Evidence], list[Record]]] = {
    "labels-missing": labels_missing,
    "requests-oversized": requests_oversized,
    "nonprod-idle": nonprod_idle,
    "snapshot-stale": snapshot_stale,
    "volume-orphaned": volume_orphaned,
    "backup-older-than-rpo": backup_set,
    "restore-unverified": backup_set,
    "redis-maxmemory-unset": redis_maxmemory_unset,
    "database-over-band": database_over_band,
    "image-tag-mutable": image_tag_mutable,
    "ingress-no-tls": ingress_route,
    "ingress-no-rate-limit": ingress_route,
    "log-retention-exceeds-class": log_retention_exceeds_class,
}
"""Each planted kind's records, by the definitions of docs/fleet.md."""


def planted_records(
    tenants: tuple[TenantProfile, ...],
    namespaces: list[Namespace],
    plants: Plants,
    evidence: Evidence,
) -> list[Record]:
    """Every planted problem's records, sorted by kind, tenant and resource."""
    by_id = {t.id: t for t in tenants}
    by_ns = {(ns.cluster, ns.name): ns for ns in namespaces}
    out: list[Record] = []
    for kind in KINDS:
        for tid, env in sorted(plants.by_kind.get(kind, {}).items()):
            tenant = by_id[tid]
            namespace = by_ns[(tenant.cluster, namespace_name(tid, env))]
            out.extend(RECORDS[kind](Plant(kind, tenant, env, namespace), evidence))
    return sorted(
        out,
        key=lambda r: (
            r["kind"],
            r["tenant"],
            r["resource"]["kind"],
            r["resource"]["namespace"] or "",
            r["resource"]["name"],
        ),
    )


def growth_records(db: DatabaseStats) -> dict[str, Any]:
    """growth.json: the shape each production database grew in (growth.py), the answer a
    forecast's backtest is scored against, sorted by tenant."""
    databases = []
    for x in db.databases:
        if x.environment is not EnvironmentKind.PRODUCTION:
            continue
        shape = db.shapes[x.tenant.id]
        databases.append(
            {
                "tenant": x.tenant.id,
                "server": x.server,
                "database": x.name,
                "shape": shape.shape,
                "monthly_growth": round(shape.monthly_growth, 4),
                "import_day": shape.import_day,
                "import_share": round(shape.import_share, 4),
            }
        )
    return {"databases": sorted(databases, key=lambda r: r["tenant"])}
