"""Velero Backups (`velero.io/v1`) from the latest Kubernetes inventory, as `backup_records`.

The Kubernetes collector keeps every object as its camelCase JSON in
`inventory_snapshots`; this reads the Backups (and BackupStorageLocations) of
each cluster's latest snapshot, so Velero needs no access of its own. A Backup
belongs to the tenants whose catalog namespaces it includes
(`spec.includedNamespaces`); one that includes all namespaces (`*`, or none
listed) belongs to the tenant its own labels name, else to no tenant. Velero
reports no byte size for a backup, so `size_bytes` stays empty.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from costplane.errors import ExecutionError
from costplane.sources.backups.records import BACKUP, BackupRecord, naive_utc, records_table
from costplane.sources.backups.system import SystemRead
from costplane.sources.backups.tenancy import UNMAPPED, Placement, TenantIndex
from costplane.warehouse import Load, Warehouse

TOOL = "velero"
KINDS = ("Backup", "BackupStorageLocation")
STATUS = {
    "Completed": "ok",
    "PartiallyFailed": "partial",
    "Failed": "error",
    "FailedValidation": "error",
    "Deleting": "deleting",
}
"""Velero's final phases; every other phase (New, InProgress, Finalizing ...) is "running"."""
SCHEMES = {"aws": "s3", "velero.io/aws": "s3", "gcp": "gs", "velero.io/gcp": "gs"}


@dataclass(frozen=True)
class VeleroObject:
    cluster: str
    taken_at: dt.datetime
    kind: str
    tenant: str | None
    environment: str | None
    body: dict[str, Any]


@dataclass(frozen=True)
class ClusterSnapshot:
    cluster: str
    taken_at: dt.datetime
    objects: list[VeleroObject]


def latest_snapshots(warehouse: Warehouse) -> list[ClusterSnapshot]:
    """Each cluster's latest inventory snapshot, with its Velero objects (maybe none)."""
    inventory = warehouse.table("inventory_snapshots")
    latest = inventory.group_by("cluster").aggregate(latest_at=inventory.taken_at.max())
    joined = inventory.join(latest, "cluster")
    wanted = joined.filter(
        joined.taken_at == joined.latest_at,
        joined.api_version.startswith("velero.io/"),
        joined.kind.isin(KINDS),
    )
    columns = ["cluster", "taken_at", "kind", "tenant", "environment", "object"]
    rows = wanted.select(*columns).order_by("cluster", "kind", "object").to_pyarrow().to_pylist()
    clusters = latest.order_by("cluster").to_pyarrow().to_pylist()
    return [
        ClusterSnapshot(
            c["cluster"],
            c["latest_at"],
            [
                VeleroObject(
                    r["cluster"],
                    r["taken_at"],
                    r["kind"],
                    r["tenant"],
                    r["environment"],
                    json.loads(r["object"]),
                )
                for r in rows
                if r["cluster"] == c["cluster"]
            ],
        )
        for c in clusters
    ]


def read_velero(warehouse: Warehouse, tenants: TenantIndex) -> SystemRead:
    """One load per cluster's latest snapshot: the Backups it lists."""
    snapshots = latest_snapshots(warehouse)
    if not snapshots:
        raise ExecutionError(
            "velero: the warehouse holds no Kubernetes inventory; "
            "run `costplane collect kubernetes` first"
        )
    loads, records, clusters = [], [], []
    for snapshot in snapshots:
        rows = cluster_records(snapshot, tenants)
        loads.append(
            Load(
                "backup_records",
                TOOL,
                snapshot.cluster,
                snapshot.taken_at,
                snapshot.taken_at,
                records_table(rows),
            )
        )
        records += rows
        backups = len({r.backup_id for r in rows})
        clusters.append(
            {"cluster": snapshot.cluster, "taken_at": snapshot.taken_at, "backups": backups}
        )
    target = "velero in the inventory of " + ", ".join(s.cluster for s in snapshots)
    return SystemRead(TOOL, target, loads, records, [], {"clusters": clusters})


def cluster_records(snapshot: ClusterSnapshot, tenants: TenantIndex) -> list[BackupRecord]:
    locations = {
        o.body.get("metadata", {}).get("name"): o.body
        for o in snapshot.objects
        if o.kind == "BackupStorageLocation"
    }
    return [
        record
        for o in snapshot.objects
        if o.kind == "Backup"
        for record in backup_records(o, locations, tenants)
    ]


def backup_records(
    backup: VeleroObject, locations: Mapping[str | None, dict[str, Any]], tenants: TenantIndex
) -> list[BackupRecord]:
    """One row per tenant and environment the Backup includes."""
    body = backup.body
    name = str(body.get("metadata", {}).get("name"))
    spec, status = body.get("spec") or {}, body.get("status") or {}
    storage = spec.get("storageLocation") or "default"
    location, region = _location(name, storage, locations.get(storage))
    return [
        BackupRecord(
            taken_at=backup.taken_at,
            record_type=BACKUP,
            tool=TOOL,
            backup_id=name,
            tenant=placement.tenant,
            environment=placement.environment,
            database=None,
            backup_type="full",
            started_at=_time(status.get("startTimestamp")),
            finished_at=_time(status.get("completionTimestamp")),
            size_bytes=None,
            location=location,
            location_region=region,
            data_region=tenants.region(placement.tenant),
            status=STATUS.get(status.get("phase") or "", "running"),
            expires_at=_time(status.get("expiration")),
        )
        for placement in _placements(backup, spec, tenants)
    ]


def _placements(
    backup: VeleroObject, spec: dict[str, Any], tenants: TenantIndex
) -> list[Placement]:
    namespaces = spec.get("includedNamespaces") or []
    found = {
        Placement(p.tenant, p.environment)
        for namespace in namespaces
        if (p := tenants.namespaces.get(namespace))
    }
    if found:
        return sorted(found)
    if backup.tenant and backup.tenant in tenants.tenants:
        return [Placement(backup.tenant, backup.environment)]
    return [UNMAPPED]


def _location(name: str, storage: str, bsl: dict[str, Any] | None) -> tuple[str, str | None]:
    """Where Velero wrote the backup: `<bucket>/<prefix>/backups/<name>/` of its location."""
    if bsl is None:
        return f"velero://{storage}/backups/{name}", None
    spec = bsl.get("spec") or {}
    store = spec.get("objectStorage") or {}
    provider = str(spec.get("provider") or "")
    scheme = SCHEMES.get(provider, "azure" if "azure" in provider else "s3")
    prefix = str(store.get("prefix") or "").strip("/")
    path = f"{prefix}/backups/{name}" if prefix else f"backups/{name}"
    region = (spec.get("config") or {}).get("region")
    return f"{scheme}://{store.get('bucket', storage)}/{path}", region


def _time(text: object) -> dt.datetime | None:
    """An RFC 3339 time from the API (`2025-03-01T01:00:00Z`) as naive UTC."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return naive_utc(dt.datetime.fromisoformat(text))
    except ValueError:
        return None
