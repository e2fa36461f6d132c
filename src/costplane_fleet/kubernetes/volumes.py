"""Volumes: the claims pods mount, their PersistentVolumes, the released ones a tenant left
behind, and the weekly filestore snapshots."""

from __future__ import annotations

import datetime as dt

from costplane_fleet.kubernetes.objects import Inventory, Obj, meta, ts, uid_of
from costplane_fleet.offering import SERVICE_CLASSES
from costplane_fleet.planted import Plants, plant_factor
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex
from costplane_fleet.workloads import Namespace

SNAPSHOT_INTERVAL_DAYS = 7
CSI = {
    "nimbus-files": "files.csi.nimbus.cloud",
    "nimbus-ssd": "disk.csi.nimbus.cloud",
    "nimbus-ssd-premium": "disk.csi.nimbus.cloud",
}
PLATFORM_VOLUMES = {"prometheus-k8s": ("nimbus-ssd", 200), "loki": ("nimbus-ssd", 100)}


def bound_claim(
    inv: Inventory, ns: Namespace, name: str, storage_class: str, gib: int, created: dt.datetime
) -> None:
    c = ns.cluster
    pvc_uid = uid_of(c, "PersistentVolumeClaim", ns.name, name)
    pv_name = f"pvc-{pvc_uid}"
    access = ["ReadWriteMany"] if storage_class == "nimbus-files" else ["ReadWriteOnce"]
    inv.add(
        c,
        "persistentvolumeclaims",
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                **meta(
                    c,
                    "PersistentVolumeClaim",
                    name,
                    created,
                    ns.name,
                    annotations={
                        "pv.kubernetes.io/bind-completed": "yes",
                        "volume.kubernetes.io/storage-provisioner": CSI[storage_class],
                    },
                ),
                "finalizers": ["kubernetes.io/pvc-protection"],
            },
            "spec": {
                "accessModes": access,
                "resources": {"requests": {"storage": f"{gib}Gi"}},
                "storageClassName": storage_class,
                "volumeMode": "Filesystem",
                "volumeName": pv_name,
            },
            "status": {
                "accessModes": access,
                "capacity": {"storage": f"{gib}Gi"},
                "phase": "Bound",
            },
        },
    )
    inv.add(
        c,
        "persistentvolumes",
        persistent_volume(
            c, pv_name, storage_class, gib, created, ns.name, name, pvc_uid, "Bound", "Delete"
        ),
    )


def volume_handle(cluster: str, pv_name: str, storage_class: str) -> str:
    prefix = "fs" if storage_class == "nimbus-files" else "vol"
    return f"{prefix}-{digest_hex('volume', cluster, pv_name, length=17)}"


def persistent_volume(
    c: str,
    pv_name: str,
    storage_class: str,
    gib: int,
    created: dt.datetime,
    namespace: str,
    claim: str,
    claim_uid: str,
    phase: str,
    reclaim: str,
) -> Obj:
    access = ["ReadWriteMany"] if storage_class == "nimbus-files" else ["ReadWriteOnce"]
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            **meta(
                c,
                "PersistentVolume",
                pv_name,
                created,
                annotations={"pv.kubernetes.io/provisioned-by": CSI[storage_class]},
            ),
            "finalizers": ["kubernetes.io/pv-protection"],
        },
        "spec": {
            "accessModes": access,
            "capacity": {"storage": f"{gib}Gi"},
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "name": claim,
                "namespace": namespace,
                "uid": claim_uid,
            },
            "csi": {
                "driver": CSI[storage_class],
                "fsType": "ext4",
                "volumeHandle": volume_handle(c, pv_name, storage_class),
            },
            "persistentVolumeReclaimPolicy": reclaim,
            "storageClassName": storage_class,
            "volumeMode": "Filesystem",
        },
        "status": {"phase": phase},
    }


RELEASED_GIB = 50


def released_claim(tenant: str) -> str:
    return "odoo-filestore-2023"


def released_volume(inv: Inventory, ns: Namespace, spec: FleetSpec) -> None:
    c = ns.cluster
    claim = released_claim(ns.name)
    claim_uid = uid_of(c, "PersistentVolumeClaim", ns.name, claim)
    created = spec.end_at - dt.timedelta(days=plant_factor(spec, "released", ns.name, 60, 400))
    inv.add(
        c,
        "persistentvolumes",
        persistent_volume(
            c,
            f"pvc-{claim_uid}",
            "nimbus-ssd",
            RELEASED_GIB,
            created,
            ns.name,
            claim,
            claim_uid,
            "Released",
            "Retain",
        ),
    )


def snapshot_times(
    ns: Namespace, plants: Plants, spec: FleetSpec
) -> list[tuple[dt.datetime, bool]]:
    """Creation times of the filestore snapshots that exist at the end (weekly, Sunday 03:00 UTC,
    kept for the class's retention), and whether each is the planted stale one."""
    assert ns.tenant is not None
    retention = dt.timedelta(days=SERVICE_CLASSES[ns.tenant.service_class].snapshot_retention_days)
    end = spec.end_at
    back = (end.weekday() + 1) % 7
    t = (end - dt.timedelta(days=back)).replace(hour=3)
    if t >= end:
        t -= dt.timedelta(days=SNAPSHOT_INTERVAL_DAYS)
    out: list[tuple[dt.datetime, bool]] = []
    while end - t < retention:
        out.append((t, False))
        t -= dt.timedelta(days=SNAPSHOT_INTERVAL_DAYS)
    if plants.has("snapshot-stale", ns.tenant.id):
        extra = plant_factor(spec, "stale", ns.tenant.id, 5, 60)
        out.append(
            (
                (end - retention - dt.timedelta(days=extra)).replace(
                    minute=0, second=0, microsecond=0
                ),
                True,
            )
        )
    return sorted(out)


def snapshots(inv: Inventory, ns: Namespace, plants: Plants, spec: FleetSpec) -> None:
    c = ns.cluster
    for created, _stale in snapshot_times(ns, plants, spec):
        name = f"odoo-filestore-{created:%Y%m%d%H%M}"
        uid = uid_of(c, "VolumeSnapshot", ns.name, name)
        inv.add(
            c,
            "volumesnapshots",
            {
                "apiVersion": "snapshot.storage.k8s.io/v1",
                "kind": "VolumeSnapshot",
                "metadata": {
                    **meta(c, "VolumeSnapshot", name, created, ns.name),
                    "finalizers": [
                        "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection",
                        "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection",
                    ],
                },
                "spec": {
                    "source": {"persistentVolumeClaimName": "odoo-filestore"},
                    "volumeSnapshotClassName": "nimbus-snapshots",
                },
                "status": {
                    "boundVolumeSnapshotContentName": f"snapcontent-{uid}",
                    "creationTime": ts(created),
                    "readyToUse": True,
                    "restoreSize": f"{ns.filestore_gib}Gi",
                },
            },
        )
