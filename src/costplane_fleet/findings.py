"""planted.json: every planted problem with its resource and monthly waste, computed from the
generated data by the definitions in docs/fleet.md (the scoring contract for policies)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costplane.catalog import EnvironmentKind
from costplane_fleet.databases import DatabaseStats, database_name, server_of
from costplane_fleet.kubernetes import (
    LOG_RETENTION_ANNOTATION,
    RELEASED_GIB,
    Inventory,
    released_claim,
    snapshot_times,
    uid_of,
)
from costplane_fleet.offering import CURRENCY, PRICE_SHEET, SERVICE_CLASSES
from costplane_fleet.planted import KINDS, KRR_DAYS, Plants
from costplane_fleet.spec import FleetSpec
from costplane_fleet.tenants import TenantProfile
from costplane_fleet.workloads import GI, ORPHAN_PVC, Namespace, namespace_name

MONTH_HOURS = Decimal(730)
CENT = Decimal("0.01")
IDLE_WINDOW_DAYS = 30
DAY_US = 86_400 * 1_000_000


def _epoch_us(moment: dt.datetime) -> int:
    """A naive UTC datetime as microseconds since the epoch."""
    return (moment - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)


def _money(x: Decimal) -> str:
    return str(x.quantize(CENT, ROUND_HALF_UP))


def _record(
    kind: str,
    rkind: str,
    namespace: str | None,
    name: str,
    tenant: str,
    environment: EnvironmentKind | None,
    waste: Decimal,
    detail: dict[str, Any],
) -> dict[str, Any]:
    return {
        "kind": kind,
        "resource": {"kind": rkind, "namespace": namespace, "name": name},
        "tenant": tenant,
        "environment": environment.value if environment else None,
        "monthly_waste": _money(waste),
        "currency": CURRENCY,
        "detail": detail,
    }


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


def planted_records(
    tenants: tuple[TenantProfile, ...],
    namespaces: list[Namespace],
    plants: Plants,
    usage: pa.Table,
    service_usage: pa.Table,
    db: DatabaseStats,
    inventory: Inventory,
    spec: FleetSpec,
) -> list[dict[str, Any]]:
    by_id = {t.id: t for t in tenants}
    by_ns = {(ns.cluster, ns.name): ns for ns in namespaces}
    cpu_h = PRICE_SHEET.cpu.canonical
    mem_h = PRICE_SHEET.memory.canonical
    queried = {
        namespace_name(tid, env)
        for kind in ("requests-oversized", "nonprod-idle", "log-retention-exceeds-class")
        for tid, env in plants.by_kind.get(kind, {}).items()
    }
    samples = _Rows.of(usage, queried)
    hour = samples.values("hour").astype("datetime64[us]").astype(np.int64)
    cpu_usage = samples.values("cpu_usage_cores")
    memory_peak = samples.values("memory_peak_bytes")
    cpu_request = samples.values("cpu_request_cores")
    memory_request = samples.values("memory_request_bytes")
    logs = _Rows.of(service_usage, queried)
    is_log = logs.matches("service", "logs".__eq__)
    log_quantity = logs.values("quantity")
    end_us = _epoch_us(spec.end_at)
    out: list[dict[str, Any]] = []
    for kind in KINDS:
        for tid, env in sorted(plants.by_kind.get(kind, {}).items()):
            t = by_id[tid]
            sc = SERVICE_CLASSES[t.service_class]
            ns_name = namespace_name(tid, env)
            ns = by_ns[(t.cluster, ns_name)]
            if kind == "labels-missing":
                out.append(
                    _record(
                        kind,
                        "Namespace",
                        None,
                        f"{tid}-migration",
                        tid,
                        None,
                        Decimal(0),
                        {"cluster": t.cluster},
                    )
                )
            elif kind == "requests-oversized":
                w = next(w for w in ns.workloads if w.name == "odoo-cron")
                c = w.containers[0]
                since = end_us - KRR_DAYS * DAY_US
                sel = (
                    samples.where(t.cluster, ns_name)
                    & (hour >= since)
                    & samples.matches("container", c.name.__eq__)
                    & samples.matches("pod", _prefix(w.name))
                )
                n_samples = int(sel.sum())
                assert n_samples > 0
                p95 = float(np.percentile(cpu_usage[sel], 95))
                cpu_rec = Decimal(repr(p95))
                mem_rec = Decimal(repr(float(memory_peak[sel].max()))) * Decimal("1.15")
                cpu_req = Decimal(c.cpu_request_m) / 1000
                mem_req = Decimal(c.memory_request)
                per_hour = (
                    max(Decimal(0), cpu_req - cpu_rec) * cpu_h
                    + max(Decimal(0), mem_req - mem_rec) / GI * mem_h
                )
                out.append(
                    _record(
                        kind,
                        "Deployment",
                        ns_name,
                        w.name,
                        tid,
                        env,
                        w.replicas * per_hour * MONTH_HOURS,
                        {
                            "container": c.name,
                            "cpu_request_cores": str(cpu_req),
                            "cpu_recommendation_cores": f"{p95:.6f}",
                            "memory_request_bytes": c.memory_request,
                            "memory_recommendation_bytes": int(mem_rec),
                            "samples": n_samples,
                        },
                    )
                )
            elif kind == "nonprod-idle":
                days = min(IDLE_WINDOW_DAYS, spec.days)
                sel = samples.where(t.cluster, ns_name) & (hour >= end_us - days * DAY_US)
                cores = Decimal(repr(float(cpu_request[sel].sum())))
                mem = Decimal(int(memory_request[sel].sum()))
                cost = cores * cpu_h + mem / GI * mem_h
                out.append(
                    _record(
                        kind,
                        "Namespace",
                        None,
                        ns_name,
                        tid,
                        env,
                        cost * MONTH_HOURS / (days * 24),
                        {"window_days": days},
                    )
                )
            elif kind == "snapshot-stale":
                for created, stale in snapshot_times(ns, plants, spec):
                    if stale:
                        waste = ns.filestore_gib * PRICE_SHEET.snapshot.per_month
                        out.append(
                            _record(
                                kind,
                                "VolumeSnapshot",
                                ns_name,
                                f"odoo-filestore-{created:%Y%m%d%H%M}",
                                tid,
                                env,
                                waste,
                                {
                                    "created": created.isoformat() + "Z",
                                    "retention_days": sc.snapshot_retention_days,
                                },
                            )
                        )
            elif kind == "volume-orphaned":
                if t.index % 2 == 0:
                    out.append(
                        _record(
                            kind,
                            "PersistentVolumeClaim",
                            ns_name,
                            ORPHAN_PVC,
                            tid,
                            env,
                            20 * PRICE_SHEET.storage["nimbus-ssd"].per_month,
                            {"storage_class": "nimbus-ssd", "capacity_gib": 20},
                        )
                    )
                else:
                    claim = released_claim(ns_name)
                    pv = f"pvc-{uid_of(t.cluster, 'PersistentVolumeClaim', ns_name, claim)}"
                    out.append(
                        _record(
                            kind,
                            "PersistentVolume",
                            None,
                            pv,
                            tid,
                            env,
                            RELEASED_GIB * PRICE_SHEET.storage["nimbus-ssd"].per_month,
                            {
                                "storage_class": "nimbus-ssd",
                                "capacity_gib": RELEASED_GIB,
                                "phase": "Released",
                            },
                        )
                    )
            elif kind in ("backup-older-than-rpo", "restore-unverified"):
                out.append(
                    _record(
                        kind,
                        "backup-set",
                        ns_name,
                        database_name(tid, env),
                        tid,
                        env,
                        Decimal(0),
                        {
                            "rpo_minutes": sc.backup.rpo_minutes,
                            "restore_test_interval_days": sc.backup.restore_test_interval_days,
                        },
                    )
                )
            elif kind == "redis-maxmemory-unset":
                out.append(_record(kind, "cache", None, t.redis_server, tid, env, Decimal(0), {}))
            elif kind == "database-over-band":
                j = next(
                    k
                    for k, d in enumerate(db.databases)
                    if d.tenant.id == tid and d.environment is env
                )
                size = int(db.size_bytes[j, -1])
                over = Decimal(size) / GI - sc.database_band_gib.max_gib
                out.append(
                    _record(
                        kind,
                        "database",
                        None,
                        database_name(tid, env),
                        tid,
                        env,
                        over * PRICE_SHEET.database_storage.per_month,
                        {
                            "server": server_of(t, env),
                            "size_bytes": size,
                            "max_gib": sc.database_band_gib.max_gib,
                        },
                    )
                )
            elif kind == "image-tag-mutable":
                out.append(
                    _record(
                        kind,
                        "Deployment",
                        ns_name,
                        "odoo-web",
                        tid,
                        env,
                        Decimal(0),
                        {"image": "registry.example.com/odoo:latest"},
                    )
                )
            elif kind in ("ingress-no-tls", "ingress-no-rate-limit"):
                out.append(_record(kind, "IngressRoute", ns_name, "odoo", tid, env, Decimal(0), {}))
            elif kind == "log-retention-exceeds-class":
                total = float(log_quantity[logs.where(t.cluster, ns_name) & is_log].sum())
                assert ns.log_retention_days is not None
                daily_gib = Decimal(repr(total)) / GI / spec.days
                extra = ns.log_retention_days - sc.log_retention_days
                out.append(
                    _record(
                        kind,
                        "Namespace",
                        None,
                        ns_name,
                        tid,
                        env,
                        daily_gib * extra * PRICE_SHEET.log_retention.per_month,
                        {
                            LOG_RETENTION_ANNOTATION: ns.log_retention_days,
                            "class_days": sc.log_retention_days,
                        },
                    )
                )
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
