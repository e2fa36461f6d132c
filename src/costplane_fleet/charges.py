"""What each billed resource costs per day: turns the fleet's infrastructure into bill rows.

Resource ids tie the bill to the other sources: a node's providerID, a PV's
CSI volumeHandle, the Traefik Service's load-balancer hostname, the `server` of
database_stats and cache_stats.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from costplane.quantity import memory_bytes
from costplane_fleet.backups import BackupSet
from costplane_fleet.billing import Charges, resource
from costplane_fleet.cache import CacheStats
from costplane_fleet.clusters import Node
from costplane_fleet.databases import DatabaseStats
from costplane_fleet.kubernetes import (
    Inventory,
    snapshot_times,
    traefik_load_balancer,
)
from costplane_fleet.offering import (
    ATTACHMENT_BUCKET,
    BACKUP_BUCKET,
    BACKUP_REGION,
    PRICE_SHEET,
    SERVICE_CLASSES,
)
from costplane_fleet.planted import Plants
from costplane_fleet.services import ServiceTraffic
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex
from costplane_fleet.workloads import GI, Namespace

PLATFORM_LOG_RETENTION_DAYS = 30
TENANT = "costplane.io/tenant"


def _tenant_tags(ns: Namespace | None) -> dict[str, str]:
    if ns is None or ns.tenant is None or not ns.labelled or ns.environment is None:
        return {}
    return {
        TENANT: ns.tenant.id,
        "costplane.io/environment": ns.environment.value,
        "costplane.io/service-class": ns.tenant.service_class,
    }


def fleet_charges(
    nodes: list[Node],
    inventory: Inventory,
    namespaces: list[Namespace],
    db: DatabaseStats,
    cache: CacheStats,
    backups: BackupSet,
    traffic: ServiceTraffic,
    service_usage: pa.Table,
    plants: Plants,
    spec: FleetSpec,
) -> Charges:
    ch = Charges()
    n_days = spec.days
    every_day = np.full(n_days, 24)
    by_key = {(ns.cluster, ns.name): ns for ns in namespaces}
    for n in nodes:
        tags = {"kubernetes.io/cluster": n.cluster, "node-pool": n.pool}
        if n.pool.startswith("tenant-"):
            tags[TENANT] = n.pool.removeprefix("tenant-")
        ch.add_daily(
            resource(
                n.provider_id,
                n.name,
                "Virtual Machine",
                "Nimbus Compute",
                f"VM-{n.instance.name}",
                "Hours",
                f"{n.instance.name} ({n.instance.vcpu} vCPU, {n.instance.memory_gib} GiB)"
                " on demand",
                n.cluster,
                n.zone,
                tags,
            ),
            n.instance.hourly,
            every_day,
        )
    for cluster in sorted(inventory.lists):
        for pv in inventory.lists[cluster]["persistentvolumes"]:
            sc = pv["spec"]["storageClassName"]
            gib = memory_bytes(pv["spec"]["capacity"]["storage"]) // GI
            claim = pv["spec"]["claimRef"]
            tags = {
                "kubernetes.io/cluster": cluster,
                "kubernetes.io/created-for/pvc/namespace": claim["namespace"],
                "kubernetes.io/created-for/pvc/name": claim["name"],
                **_tenant_tags(by_key.get((cluster, claim["namespace"]))),
            }
            file_share = sc == "nimbus-files"
            ch.add_daily(
                resource(
                    pv["spec"]["csi"]["volumeHandle"],
                    pv["metadata"]["name"],
                    "File Share" if file_share else "Block Volume",
                    "Nimbus Files" if file_share else "Nimbus Block Storage",
                    f"STORAGE-{sc}",
                    "GiB-Hours",
                    f"{sc} provisioned storage",
                    cluster,
                    None,
                    tags,
                ),
                PRICE_SHEET.storage[sc].canonical,
                every_day * gib,
            )
        ch.add_daily(
            resource(
                traefik_load_balancer(cluster),
                f"{cluster}/traefik/traefik",
                "Load Balancer",
                "Nimbus Load Balancing",
                "LB-NETWORK",
                "Hours",
                "Network load balancer hour",
                cluster,
                None,
                {"kubernetes.io/cluster": cluster, "kubernetes.io/service-name": "traefik/traefik"},
            ),
            PRICE_SHEET.load_balancer.canonical,
            every_day,
        )
    _snapshot_charges(ch, namespaces, plants, spec)
    _storage_buckets(ch, db, backups, spec)
    for server, (sku, gib, owner) in sorted(db.servers.items()):
        tags = (
            {TENANT: owner.id, "costplane.io/service-class": owner.service_class} if owner else {}
        )
        rid = server
        ch.add_daily(
            resource(
                rid,
                server,
                "PostgreSQL Instance",
                "Nimbus Managed PostgreSQL",
                f"PG-{sku.name}",
                "Hours",
                f"Managed PostgreSQL {sku.name} instance hour",
                None,
                None,
                tags,
            ),
            sku.hourly,
            every_day,
        )
        ch.add_daily(
            resource(
                rid,
                server,
                "PostgreSQL Instance",
                "Nimbus Managed PostgreSQL",
                "PG-STORAGE-SSD",
                "GiB-Hours",
                "Managed PostgreSQL provisioned storage",
                None,
                None,
                tags,
            ),
            PRICE_SHEET.database_storage.canonical,
            every_day * gib,
        )
    for server, (csku, owner) in sorted(cache.servers.items()):
        tags = (
            {TENANT: owner.id, "costplane.io/service-class": owner.service_class} if owner else {}
        )
        ch.add_daily(
            resource(
                server,
                server,
                "Redis Instance",
                "Nimbus Managed Redis",
                f"REDIS-{csku.name}",
                "Hours",
                f"Managed Redis {csku.name} node hour",
                None,
                None,
                tags,
            ),
            csku.hourly,
            every_day,
        )
    _observability_and_egress(ch, namespaces, traffic, service_usage, spec)
    return ch


def _snapshot_charges(
    ch: Charges, namespaces: list[Namespace], plants: Plants, spec: FleetSpec
) -> None:
    """Weekly snapshots over the window: each exists from creation until retention deletes it
    (the planted stale ones until the end); billed per GiB-hour of each day they exist."""
    start, end = spec.start_at, spec.end_at
    day_start = np.arange(spec.days, dtype=np.int64) * 86_400
    for ns in namespaces:
        if (
            ns.tenant is None
            or ns.environment is None
            or ns.environment.value != "production"
            or not ns.labelled
        ):
            continue
        retention = dt.timedelta(
            days=SERVICE_CLASSES[ns.tenant.service_class].snapshot_retention_days
        )
        existing = snapshot_times(ns, plants, spec)
        history: list[tuple[dt.datetime, dt.datetime]] = [(t, end) for t, _ in existing]
        oldest_regular = min((t for t, stale in existing if not stale), default=end)
        t = oldest_regular - dt.timedelta(days=7)
        while t + retention > start:
            history.append((t, t + retention))
            t -= dt.timedelta(days=7)
        tags = {"kubernetes.io/cluster": ns.cluster, **_tenant_tags(ns)}
        for created, deleted in sorted(history):
            lo = np.maximum(_seconds(created, start), day_start)
            hi = np.minimum(_seconds(deleted, start), day_start + 86_400)
            hours = np.maximum(0, (hi - lo) // 3600)
            if not hours.any():
                continue
            name = f"odoo-filestore-{created:%Y%m%d%H%M}"
            rid = f"snap-{digest_hex('snapshot', ns.cluster, ns.name, name, length=17)}"
            ch.add_daily(
                resource(
                    rid,
                    f"{ns.name}/{name}",
                    "Snapshot",
                    "Nimbus Backup",
                    "SNAPSHOT-STANDARD",
                    "GiB-Hours",
                    "Volume snapshot storage",
                    ns.cluster,
                    None,
                    tags,
                ),
                PRICE_SHEET.snapshot.canonical,
                hours * ns.filestore_gib,
            )


def _seconds(moment: dt.datetime, since: dt.datetime) -> int:
    """Whole seconds from `since` to `moment`, rounded down."""
    return (moment - since) // dt.timedelta(seconds=1)


def _storage_buckets(ch: Charges, db: DatabaseStats, backups: BackupSet, spec: FleetSpec) -> None:
    stored = db.stored_bytes.sum(axis=0)
    ch.add_fractional(
        resource(
            f"s3://{ATTACHMENT_BUCKET}",
            ATTACHMENT_BUCKET,
            "Bucket",
            "Nimbus Object Storage",
            "OBJECT-STANDARD",
            "GiB-Hours",
            "Object storage, standard class",
            None,
        ),
        PRICE_SHEET.object_storage.canonical,
        [Decimal(int(b)) * 24 / GI for b in stored],
    )
    total_backup = Decimal(int(sum(backups.stored_bytes.values())))
    growth = db.backup_growth
    ratio = [
        Decimal(int(g)) / Decimal(int(growth[-1])) if growth[-1] else Decimal(1) for g in growth
    ]
    ch.add_fractional(
        resource(
            f"s3://{BACKUP_BUCKET}",
            BACKUP_BUCKET,
            "Bucket",
            "Nimbus Backup",
            "OBJECT-INFREQUENT",
            "GiB-Hours",
            "Object storage, infrequent access class",
            None,
            region=BACKUP_REGION,
        ),
        PRICE_SHEET.backup.canonical,
        [total_backup * r * 24 / GI for r in ratio],
    )


def _observability_and_egress(
    ch: Charges,
    namespaces: list[Namespace],
    traffic: ServiceTraffic,
    service_usage: pa.Table,
    spec: FleetSpec,
) -> None:
    by_key = {(ns.cluster, ns.name): ns for ns in namespaces}
    daily_logs = traffic.log_bytes.reshape(len(traffic.log_namespaces), -1, 24).sum(axis=2)
    for cluster in sorted({c for c, _ in traffic.log_namespaces}):
        rows = [k for k, (c, _) in enumerate(traffic.log_namespaces) if c == cluster]
        ingest = daily_logs[rows].sum(axis=0)
        retention = np.array(
            [
                by_key[traffic.log_namespaces[k]].log_retention_days or PLATFORM_LOG_RETENTION_DAYS
                for k in rows
            ]
        )
        stored = (daily_logs[rows] * retention[:, None]).sum(axis=0)
        tags = {"kubernetes.io/cluster": cluster}
        ch.add_fractional(
            resource(
                f"logs/{cluster}",
                f"{cluster} log workspace",
                "Log Workspace",
                "Nimbus Logging",
                "LOGS-INGEST",
                "GiB",
                "Log ingestion",
                cluster,
                None,
                tags,
            ),
            PRICE_SHEET.log_ingest.canonical,
            [Decimal(int(b)) / GI for b in ingest],
        )
        ch.add_fractional(
            resource(
                f"logs/{cluster}",
                f"{cluster} log workspace",
                "Log Workspace",
                "Nimbus Logging",
                "LOGS-RETENTION",
                "GiB-Hours",
                "Log retention storage",
                cluster,
                None,
                tags,
            ),
            PRICE_SHEET.log_retention.canonical,
            [Decimal(int(b)) * 24 / GI for b in stored],
        )
    eg = service_usage.filter(pc.equal(service_usage.column("service"), "egress"))
    first = (spec.start - dt.date(1970, 1, 1)).days
    days = eg.column("day").cast(pa.int32()).to_numpy() - first
    clusters = eg.column("cluster").combine_chunks()
    qty = eg.column("quantity").to_numpy()
    for c in sorted(set(pc.unique(clusters).to_pylist())):
        sel = pc.equal(clusters, c).to_numpy(zero_copy_only=False)
        per_day = np.zeros(spec.days)
        np.add.at(per_day, days[sel], qty[sel])
        ch.add_fractional(
            resource(
                f"egress/{c}",
                f"{c} internet egress",
                "Network",
                "Nimbus Networking",
                "EGRESS-INTERNET",
                "GiB",
                "Data transfer out to the internet",
                c,
                None,
                {"kubernetes.io/cluster": c},
            ),
            PRICE_SHEET.egress.canonical,
            [Decimal(round(b)) / GI for b in per_day],
        )
