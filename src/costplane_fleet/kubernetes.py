"""Kubernetes objects as the API server returns them (camelCase JSON), at the end of the window.

Sleeping namespaces are asleep at the end (00:00 UTC is night in Europe), so
their Deployments show kube-green's `replicas: 0` and have no pods. A PVC
counts as in use when a pod or a workload's pod template mounts it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from costplane.catalog import LabelKeys
from costplane_fleet.clusters import Node, PodSlot
from costplane_fleet.offering import REGION, SERVICE_CLASSES
from costplane_fleet.planted import Plants, plant_factor
from costplane_fleet.services import INGRESS_ROUTE, route_matches
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex, object_uid
from costplane_fleet.workloads import GI, MI, ORPHAN_PVC, Container, Namespace, Workload

Obj = dict[str, Any]
LABELS = LabelKeys()
LOG_RETENTION_ANNOTATION = "costplane.io/log-retention-days"
NODE_POOL_LABEL = "nimbus.cloud/node-pool"
SNAPSHOT_INTERVAL_DAYS = 7
CSI = {
    "nimbus-files": "files.csi.nimbus.cloud",
    "nimbus-ssd": "disk.csi.nimbus.cloud",
    "nimbus-ssd-premium": "disk.csi.nimbus.cloud",
}
PLATFORM_VOLUMES = {"prometheus-k8s": ("nimbus-ssd", 200), "loki": ("nimbus-ssd", 100)}


def _octet(*parts: object) -> int:
    """A stable 0-255 number for an address from the parts it belongs to."""
    return int(digest_hex(*parts, length=2), 16)


def ts(t: dt.datetime) -> str:
    return t.replace(microsecond=0).isoformat() + "Z"


def cpu_quantity(millicores: int) -> str:
    return f"{millicores // 1000}" if millicores % 1000 == 0 else f"{millicores}m"


def memory_quantity(nbytes: int) -> str:
    if nbytes % GI == 0:
        return f"{nbytes // GI}Gi"
    if nbytes % MI == 0:
        return f"{nbytes // MI}Mi"
    return f"{-(-nbytes // 1024)}Ki"


def meta(
    cluster: str,
    kind: str,
    name: str,
    created: dt.datetime,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    owner: Obj | None = None,
) -> Obj:
    m: Obj = {}
    if annotations:
        m["annotations"] = annotations
    m["creationTimestamp"] = ts(created)
    if labels:
        m["labels"] = labels
    m["name"] = name
    if namespace is not None:
        m["namespace"] = namespace
    if owner is not None:
        m["ownerReferences"] = [owner]
    m["resourceVersion"] = str(
        int(digest_hex("rv", cluster, kind, namespace, name, length=8), 16) % 90_000_000 + 1_000_000
    )
    m["uid"] = object_uid(cluster, kind, namespace, name)
    return m


def uid_of(cluster: str, kind: str, namespace: str | None, name: str) -> str:
    return object_uid(cluster, kind, namespace, name)


def owner_ref(api: str, kind: str, name: str, uid: str) -> Obj:
    return {
        "apiVersion": api,
        "blockOwnerDeletion": True,
        "controller": True,
        "kind": kind,
        "name": name,
        "uid": uid,
    }


def namespace_labels(ns: Namespace) -> dict[str, str]:
    labels = {"kubernetes.io/metadata.name": ns.name}
    if ns.shared:
        labels[LABELS.shared] = "true"
    elif ns.labelled and ns.tenant is not None and ns.environment is not None:
        labels[LABELS.environment] = ns.environment.value
        labels[LABELS.service_class] = ns.tenant.service_class
        labels[LABELS.tenant] = ns.tenant.id
    return labels


def _container(c: Container, pvc: str | None) -> Obj:
    out: Obj = {"name": c.name, "image": c.image}
    if c.args:
        out["args"] = list(c.args)
    if c.port:
        out["ports"] = [
            {"containerPort": c.port, "name": "http", "protocol": "TCP"},
            {"containerPort": 8072, "name": "websocket", "protocol": "TCP"},
        ]
    out["resources"] = {
        "limits": {"cpu": cpu_quantity(c.cpu_limit_m), "memory": memory_quantity(c.memory_limit)},
        "requests": {
            "cpu": cpu_quantity(c.cpu_request_m),
            "memory": memory_quantity(c.memory_request),
        },
    }
    out["terminationMessagePath"] = "/dev/termination-log"
    out["terminationMessagePolicy"] = "File"
    out["imagePullPolicy"] = "IfNotPresent"
    if pvc:
        out["volumeMounts"] = [{"mountPath": "/var/lib/odoo", "name": "filestore"}]
    return out


def _pod_labels(w: Workload, template_hash: str | None) -> dict[str, str]:
    labels = {
        "app.kubernetes.io/name": w.name if w.role == "platform" else "odoo",
        "app.kubernetes.io/component": w.name,
    }
    if template_hash:
        labels["pod-template-hash"] = template_hash
    return labels


def _pod_spec(w: Workload, volume_claim: str | None, node: Node | None, tenant_pool: bool) -> Obj:
    spec: Obj = {
        "containers": [_container(c, volume_claim) for c in w.containers],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": False,
    }
    if node is not None:
        spec["nodeName"] = node.name
    spec["nodeSelector"] = {NODE_POOL_LABEL: w.node_pool}
    spec["restartPolicy"] = "Always"
    spec["schedulerName"] = "default-scheduler"
    spec["securityContext"] = {"fsGroup": 101, "runAsNonRoot": True, "runAsUser": 101}
    spec["serviceAccountName"] = "default"
    spec["terminationGracePeriodSeconds"] = 30
    if tenant_pool:
        spec["tolerations"] = [
            {
                "effect": "NoSchedule",
                "key": "costplane.io/dedicated",
                "operator": "Equal",
                "value": w.node_pool,
            }
        ]
    if volume_claim:
        spec["volumes"] = [
            {"name": "filestore", "persistentVolumeClaim": {"claimName": volume_claim}}
        ]
    return spec


def _image_id(image: str) -> str:
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repo}@sha256:{digest_hex('image', image, length=64)}"


class Inventory:
    """Accumulates the kubectl lists of both clusters."""

    def __init__(self) -> None:
        self.lists: dict[str, dict[str, list[Obj]]] = {}

    def add(self, cluster: str, resource: str, obj: Obj) -> None:
        self.lists.setdefault(cluster, {}).setdefault(resource, []).append(obj)


RESOURCES = (
    "namespaces",
    "nodes",
    "pods",
    "deployments",
    "statefulsets",
    "cronjobs",
    "persistentvolumeclaims",
    "persistentvolumes",
    "storageclasses",
    "volumesnapshots",
    "resourcequotas",
    "limitranges",
    "horizontalpodautoscalers",
    "services",
    "ingressroutes",
    "middlewares",
    "sleepinfos",
)


def render_inventory(
    namespaces: list[Namespace],
    nodes: list[Node],
    slots: list[PodSlot],
    plants: Plants,
    spec: FleetSpec,
) -> Inventory:
    inv = Inventory()
    for cluster in sorted({n.cluster for n in nodes} | {ns.cluster for ns in namespaces}):
        for resource in RESOURCES:
            inv.lists.setdefault(cluster, {}).setdefault(resource, [])
        for name, driver, binding in (
            ("nimbus-files", CSI["nimbus-files"], "Immediate"),
            ("nimbus-ssd", CSI["nimbus-ssd"], "WaitForFirstConsumer"),
            ("nimbus-ssd-premium", CSI["nimbus-ssd"], "WaitForFirstConsumer"),
        ):
            inv.add(
                cluster,
                "storageclasses",
                {
                    "allowVolumeExpansion": True,
                    "apiVersion": "storage.k8s.io/v1",
                    "kind": "StorageClass",
                    "metadata": meta(
                        cluster, "StorageClass", name, spec.start_at - dt.timedelta(days=900)
                    ),
                    "parameters": {"type": name.removeprefix("nimbus-")},
                    "provisioner": driver,
                    "reclaimPolicy": "Delete",
                    "volumeBindingMode": binding,
                },
            )
    for n in nodes:
        inv.add(n.cluster, "nodes", _node(n))
    slots_by_workload: dict[int, list[PodSlot]] = {}
    for s in slots:
        slots_by_workload.setdefault(id(s.workload), []).append(s)
    for ns in namespaces:
        _namespace(inv, ns, slots_by_workload, plants, spec)
    for cluster in sorted({ns.cluster for ns in namespaces}):
        inv.add(cluster, "services", _traefik_service(cluster, spec))
    return inv


def traefik_load_balancer(cluster: str) -> str:
    return f"lb-{digest_hex('lb', cluster, length=12)}.{REGION}.lb.nimbus.example"


def _traefik_service(cluster: str, spec: FleetSpec) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(
            cluster,
            "Service",
            "traefik",
            spec.start_at - dt.timedelta(days=400),
            "traefik",
            {"app.kubernetes.io/name": "traefik"},
        ),
        "spec": {
            "allocateLoadBalancerNodePorts": True,
            "externalTrafficPolicy": "Local",
            "ports": [
                {"name": "web", "port": 80, "protocol": "TCP", "targetPort": "web"},
                {"name": "websecure", "port": 443, "protocol": "TCP", "targetPort": "websecure"},
            ],
            "selector": {"app.kubernetes.io/name": "traefik"},
            "type": "LoadBalancer",
        },
        "status": {
            "loadBalancer": {
                "ingress": [{"hostname": traefik_load_balancer(cluster), "ipMode": "Proxy"}]
            }
        },
    }


def _node(n: Node) -> Obj:
    tenant_pool = n.pool.startswith(("tenant-", "dedicated-"))
    labels = {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": n.name,
        "kubernetes.io/os": "linux",
        NODE_POOL_LABEL: n.pool,
        "node.kubernetes.io/instance-type": n.instance.name,
        "topology.kubernetes.io/region": REGION,
        "topology.kubernetes.io/zone": n.zone,
    }
    spec: Obj = {
        "podCIDR": f"10.{100 + _octet(n.name) % 100}.{_octet(n.name, 'c')}.0/24",
        "providerID": n.provider_id,
    }
    if tenant_pool:
        spec["taints"] = [
            {"effect": "NoSchedule", "key": "costplane.io/dedicated", "value": n.pool}
        ]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(
            n.cluster,
            "Node",
            n.name,
            n.created,
            labels=labels,
            annotations={
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        ),
        "spec": spec,
        "status": {
            "addresses": [
                {
                    "address": f"10.0.{_octet(n.name, 'ip')}.{_octet(n.name, 'ip2') % 250 + 2}",
                    "type": "InternalIP",
                },
                {"address": n.name, "type": "Hostname"},
            ],
            "allocatable": {
                "cpu": cpu_quantity(n.allocatable_cpu_m),
                "ephemeral-storage": "95551679124",
                "memory": f"{n.allocatable_memory // 1024}Ki",
                "pods": "110",
            },
            "capacity": {
                "cpu": str(n.instance.vcpu),
                "ephemeral-storage": "103668148Ki",
                "memory": f"{n.capacity_memory // 1024}Ki",
                "pods": "110",
            },
            "conditions": [
                {
                    "lastHeartbeatTime": ts(n.created),
                    "lastTransitionTime": ts(n.created),
                    "message": "kubelet is posting ready status",
                    "reason": "KubeletReady",
                    "status": "True",
                    "type": "Ready",
                }
            ],
            "nodeInfo": {
                "architecture": "amd64",
                "containerRuntimeVersion": "containerd://1.7.27",
                "kernelVersion": "6.1.0-35-cloud-amd64",
                "kubeProxyVersion": "v1.31.6",
                "kubeletVersion": "v1.31.6",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
            },
        },
    }


def _namespace(
    inv: Inventory,
    ns: Namespace,
    slots_by_workload: dict[int, list[PodSlot]],
    plants: Plants,
    spec: FleetSpec,
) -> None:
    c = ns.cluster
    end = spec.end_at
    annotations = (
        {LOG_RETENTION_ANNOTATION: str(ns.log_retention_days)} if ns.log_retention_days else None
    )
    inv.add(
        c,
        "namespaces",
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": meta(
                c,
                "Namespace",
                ns.name,
                ns.created,
                labels=namespace_labels(ns),
                annotations=annotations,
            ),
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        },
    )
    tenant_pool = any(w.node_pool.startswith(("tenant-", "dedicated-")) for w in ns.workloads)
    claims: list[tuple[str, str, int, dt.datetime]] = []
    if ns.filestore_gib:
        claims.append(("odoo-filestore", ns.storage_class, ns.filestore_gib, ns.created))
    for w in ns.workloads:
        if w.name in PLATFORM_VOLUMES:
            sc, gib = PLATFORM_VOLUMES[w.name]
            claims.extend((f"data-{w.name}-{i}", sc, gib, w.created) for i in range(w.replicas))
    for w in ns.workloads:
        _workload(inv, ns, w, slots_by_workload.get(id(w), []), tenant_pool, spec)
    if ns.tenant is not None and ns.environment is not None and ns.labelled:
        t = ns.tenant
        _tenant_objects(inv, ns, spec)
        if ns.environment.value == "production":
            if plants.has("volume-orphaned", t.id) and t.index % 2 == 0:
                created = end - dt.timedelta(days=plant_factor(spec, "orphan", t.id, 12, 120))
                claims.append((ORPHAN_PVC, "nimbus-ssd", 20, created))
            _snapshots(inv, ns, plants, spec)
    for name, sc, gib, created in claims:
        _claim(inv, ns, name, sc, gib, created)
    if (
        ns.tenant is not None
        and ns.environment is not None
        and ns.environment.value == "production"
        and plants.has("volume-orphaned", ns.tenant.id)
        and ns.tenant.index % 2 == 1
    ):
        _released_volume(inv, ns, spec)
    for cj in ns.cronjobs:
        _cronjob(inv, ns, cj, spec)


def _claim(
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
        _volume(c, pv_name, storage_class, gib, created, ns.name, name, pvc_uid, "Bound", "Delete"),
    )


def volume_handle(cluster: str, pv_name: str, storage_class: str) -> str:
    prefix = "fs" if storage_class == "nimbus-files" else "vol"
    return f"{prefix}-{digest_hex('volume', cluster, pv_name, length=17)}"


def _volume(
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


def _released_volume(inv: Inventory, ns: Namespace, spec: FleetSpec) -> None:
    c = ns.cluster
    claim = released_claim(ns.name)
    claim_uid = uid_of(c, "PersistentVolumeClaim", ns.name, claim)
    created = spec.end_at - dt.timedelta(days=plant_factor(spec, "released", ns.name, 60, 400))
    inv.add(
        c,
        "persistentvolumes",
        _volume(
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


def _snapshots(inv: Inventory, ns: Namespace, plants: Plants, spec: FleetSpec) -> None:
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


def _tenant_objects(inv: Inventory, ns: Namespace, spec: FleetSpec) -> None:
    assert ns.tenant is not None
    assert ns.environment is not None
    c, t = ns.cluster, ns.tenant
    sc = SERVICE_CLASSES[t.service_class]
    quota = sc.quota[ns.environment]
    cpu_m = int(quota.cpu * 1000)
    hard = {
        "limits.cpu": cpu_quantity(cpu_m * 2),
        "limits.memory": memory_quantity(int(quota.memory * 1.5)),
        "persistentvolumeclaims": "5",
        "pods": "30",
        "requests.cpu": cpu_quantity(cpu_m),
        "requests.memory": memory_quantity(quota.memory),
    }
    used_cpu = used_mem = used_lcpu = used_lmem = pods = 0
    for w in ns.workloads:
        live = 0 if ns.sleeps else w.replicas
        for ct in w.containers:
            used_cpu += live * ct.cpu_request_m
            used_mem += live * ct.memory_request
            used_lcpu += live * ct.cpu_limit_m
            used_lmem += live * ct.memory_limit
        pods += live
    used = {
        "limits.cpu": cpu_quantity(used_lcpu),
        "limits.memory": memory_quantity(used_lmem),
        "persistentvolumeclaims": str(1 + 0),
        "pods": str(pods),
        "requests.cpu": cpu_quantity(used_cpu),
        "requests.memory": memory_quantity(used_mem),
    }
    inv.add(
        c,
        "resourcequotas",
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": meta(c, "ResourceQuota", "tenant-quota", ns.created, ns.name),
            "spec": {"hard": hard},
            "status": {"hard": hard, "used": used},
        },
    )
    inv.add(
        c,
        "limitranges",
        {
            "apiVersion": "v1",
            "kind": "LimitRange",
            "metadata": meta(c, "LimitRange", "tenant-limits", ns.created, ns.name),
            "spec": {
                "limits": [
                    {
                        "default": {"cpu": "500m", "memory": "1Gi"},
                        "defaultRequest": {"cpu": "250m", "memory": "512Mi"},
                        "max": {
                            "cpu": cpu_quantity(cpu_m * 2),
                            "memory": memory_quantity(int(quota.memory * 1.5)),
                        },
                        "type": "Container",
                    }
                ]
            },
        },
    )
    if ns.sleeps and sc.sleep_schedule is not None:
        s = sc.sleep_schedule
        days = [("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6), ("sun", 0)]
        nums = sorted(n for d, n in days if d in s.weekdays)
        weekdays = (
            f"{nums[0]}-{nums[-1]}"
            if nums == list(range(nums[0], nums[-1] + 1))
            else ",".join(map(str, nums))
        )
        inv.add(
            c,
            "sleepinfos",
            {
                "apiVersion": "kube-green.com/v1alpha1",
                "kind": "SleepInfo",
                "metadata": meta(c, "SleepInfo", "working-hours", ns.created, ns.name),
                "spec": {
                    "sleepAt": f"{s.sleep_at:%H:%M}",
                    "timeZone": s.time_zone,
                    "wakeUpAt": f"{s.wake_at:%H:%M}",
                    "weekdays": weekdays,
                },
                "status": {
                    "lastScheduleTime": ts(spec.end_at - dt.timedelta(hours=4)),
                    "operation": "SLEEP",
                },
            },
        )
    inv.add(
        c,
        "services",
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta(
                c, "Service", "odoo-web", ns.created, ns.name, {"app.kubernetes.io/name": "odoo"}
            ),
            "spec": {
                "clusterIP": f"10.96.{_octet(c, ns.name)}.{_octet(ns.name) % 250 + 2}",
                "ports": [
                    {"name": "http", "port": 8069, "protocol": "TCP", "targetPort": 8069},
                    {"name": "websocket", "port": 8072, "protocol": "TCP", "targetPort": 8072},
                ],
                "selector": {
                    "app.kubernetes.io/component": "odoo-web",
                    "app.kubernetes.io/name": "odoo",
                },
                "type": "ClusterIP",
            },
            "status": {"loadBalancer": {}},
        },
    )
    assert ns.ingress_host is not None
    average = {
        "shared-standard": 50,
        "shared-plus": 100,
        "dedicated": 300,
        "dedicated-regulated": 400,
    }[t.service_class]
    inv.add(
        c,
        "middlewares",
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "Middleware",
            "metadata": meta(c, "Middleware", "ratelimit", ns.created, ns.name),
            "spec": {"rateLimit": {"average": average, "burst": average * 2, "period": "1s"}},
        },
    )
    inv.add(
        c,
        "middlewares",
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "Middleware",
            "metadata": meta(c, "Middleware", "security-headers", ns.created, ns.name),
            "spec": {
                "headers": {"frameDeny": True, "stsIncludeSubdomains": True, "stsSeconds": 31536000}
            },
        },
    )
    middlewares = ([{"name": "ratelimit"}] if ns.ingress_rate_limit else []) + [
        {"name": "security-headers"}
    ]
    routes = []
    for match, port in zip(route_matches(ns.ingress_host), (8069, 8072), strict=True):
        routes.append(
            {
                "kind": "Rule",
                "match": match,
                "middlewares": middlewares,
                "services": [{"name": "odoo-web", "port": port}],
            }
        )
    body: Obj = {"entryPoints": ["websecure"] if ns.ingress_tls else ["web"], "routes": routes}
    if ns.ingress_tls:
        body["tls"] = {"secretName": f"{ns.name}-tls"}
    inv.add(
        c,
        "ingressroutes",
        {
            "apiVersion": "traefik.io/v1alpha1",
            "kind": "IngressRoute",
            "metadata": meta(c, "IngressRoute", INGRESS_ROUTE, ns.created, ns.name),
            "spec": body,
        },
    )


def _workload(
    inv: Inventory,
    ns: Namespace,
    w: Workload,
    slots: list[PodSlot],
    tenant_pool: bool,
    spec: FleetSpec,
) -> None:
    c = ns.cluster
    live = 0 if ns.sleeps else w.replicas
    labels = _pod_labels(w, None)
    claim = w.pvc
    template_hash = slots[0].template_hash if slots else None
    api = "apps/v1"
    body: Obj = {
        "apiVersion": api,
        "kind": w.kind,
        "metadata": {
            **meta(
                c,
                w.kind,
                w.name,
                w.created,
                ns.name,
                labels,
                {"deployment.kubernetes.io/revision": "3"} if w.kind == "Deployment" else None,
            ),
            "generation": 3,
        },
    }
    template_spec = _pod_spec(w, claim, None, tenant_pool)
    sts_claims = w.name in PLATFORM_VOLUMES
    if sts_claims:
        template_spec["containers"][0]["volumeMounts"] = [{"mountPath": "/data", "name": "data"}]
    spec_body: Obj = {
        "replicas": live,
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app.kubernetes.io/component": w.name}},
        "template": {"metadata": {"labels": labels}, "spec": template_spec},
    }
    if w.kind == "Deployment":
        spec_body["strategy"] = {
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            "type": "RollingUpdate",
        }
    else:
        spec_body["serviceName"] = w.name
        if sts_claims:
            sc, gib = PLATFORM_VOLUMES[w.name]
            spec_body["volumeClaimTemplates"] = [
                {
                    "apiVersion": "v1",
                    "kind": "PersistentVolumeClaim",
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": f"{gib}Gi"}},
                        "storageClassName": sc,
                    },
                }
            ]
    body["spec"] = spec_body
    body["status"] = (
        {
            "availableReplicas": live,
            "observedGeneration": 3,
            "readyReplicas": live,
            "replicas": live,
            "updatedReplicas": live,
        }
        if live
        else {"observedGeneration": 3, "replicas": 0}
    )
    inv.add(c, "deployments" if w.kind == "Deployment" else "statefulsets", body)
    if w.hpa_max is not None:
        inv.add(
            c,
            "horizontalpodautoscalers",
            {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "metadata": meta(c, "HorizontalPodAutoscaler", w.name, w.created, ns.name),
                "spec": {
                    "maxReplicas": w.hpa_max,
                    "metrics": [
                        {
                            "resource": {
                                "name": "cpu",
                                "target": {"averageUtilization": 75, "type": "Utilization"},
                            },
                            "type": "Resource",
                        }
                    ],
                    "minReplicas": w.replicas,
                    "scaleTargetRef": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": w.name,
                    },
                },
                "status": {"currentReplicas": live, "desiredReplicas": live},
            },
        )
    if not live:
        return
    if w.kind == "Deployment":
        rs = f"{w.name}-{template_hash}"
        owner = owner_ref("apps/v1", "ReplicaSet", rs, uid_of(c, "ReplicaSet", ns.name, rs))
    else:
        owner = owner_ref(
            "apps/v1", "StatefulSet", w.name, uid_of(c, "StatefulSet", ns.name, w.name)
        )
    for s in slots:
        name = s.stable_name
        started = w.created + dt.timedelta(minutes=2 + s.replica)
        pod_claim = f"data-{w.name}-{s.replica}" if sts_claims else claim
        pod_spec = _pod_spec(w, pod_claim, s.node, tenant_pool)
        if sts_claims:
            pod_spec["containers"][0]["volumeMounts"] = [{"mountPath": "/data", "name": "data"}]
            pod_spec["volumes"] = [
                {"name": "data", "persistentVolumeClaim": {"claimName": pod_claim}}
            ]
        pod_labels = _pod_labels(w, template_hash if w.kind == "Deployment" else None)
        inv.add(
            c,
            "pods",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta(c, "Pod", name, started, ns.name, pod_labels, owner=owner),
                "spec": pod_spec,
                "status": _pod_status(w, s, started, "Running"),
            },
        )


def _pod_status(w: Workload, s: PodSlot, started: dt.datetime, phase: str) -> Obj:
    running = phase == "Running"
    return {
        "conditions": [
            {"lastTransitionTime": ts(started), "status": "True", "type": t}
            for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "containerStatuses": [
            {
                "containerID": "containerd://"
                + digest_hex("ctr", s.node.name, w.name, s.replica, length=64),
                "image": ct.image,
                "imageID": _image_id(ct.image),
                "lastState": {},
                "name": ct.name,
                "ready": running,
                "restartCount": 0,
                "started": running,
                "state": {"running": {"startedAt": ts(started)}}
                if running
                else {
                    "terminated": {
                        "exitCode": 0,
                        "reason": "Completed",
                        "startedAt": ts(started),
                        "finishedAt": ts(started + dt.timedelta(seconds=40)),
                    }
                },
            }
            for ct in w.containers
        ],
        "hostIP": "10.0.0.1",
        "phase": phase,
        "podIP": f"10.{100 + _octet(s.node.name) % 100}.{_octet(s.node.name, 'c')}."
        f"{_octet(w.namespace, w.name, s.replica) % 250 + 2}",
        "qosClass": "Burstable",
        "startTime": ts(started),
    }


def _cronjob(inv: Inventory, ns: Namespace, name: str, spec: FleetSpec) -> None:
    c = ns.cluster
    image = "registry.example.com/costplane:0.1.0"
    container = {
        "args": ["collect", "--all"],
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": "collect",
        "resources": {
            "limits": {"cpu": "500m", "memory": "512Mi"},
            "requests": {"cpu": "100m", "memory": "256Mi"},
        },
    }
    created = spec.start_at - dt.timedelta(days=200)
    last = spec.end_at - dt.timedelta(minutes=55)
    inv.add(
        c,
        "cronjobs",
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": meta(c, "CronJob", name, created, ns.name),
            "spec": {
                "concurrencyPolicy": "Forbid",
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {
                    "spec": {
                        "template": {
                            "spec": {
                                "containers": [container],
                                "nodeSelector": {NODE_POOL_LABEL: "system"},
                                "restartPolicy": "OnFailure",
                            }
                        }
                    }
                },
                "schedule": "5 * * * *",
                "successfulJobsHistoryLimit": 1,
                "suspend": False,
            },
            "status": {
                "lastScheduleTime": ts(last),
                "lastSuccessfulTime": ts(last + dt.timedelta(minutes=1)),
            },
        },
    )
    job = f"{name}-{int(last.replace(tzinfo=dt.UTC).timestamp()) // 60}"
    system_nodes = [
        n
        for n in inv.lists.get(c, {}).get("nodes", [])
        if n["metadata"]["labels"][NODE_POOL_LABEL] == "system"
    ]
    node_name = system_nodes[0]["metadata"]["name"]
    inv.add(
        c,
        "pods",
        {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": meta(
                c,
                "Pod",
                f"{job}-{digest_hex(job, length=5)}",
                last,
                ns.name,
                {"batch.kubernetes.io/job-name": job},
                owner=owner_ref("batch/v1", "Job", job, uid_of(c, "Job", ns.name, job)),
            ),
            "spec": {
                "containers": [container],
                "nodeName": node_name,
                "nodeSelector": {NODE_POOL_LABEL: "system"},
                "restartPolicy": "OnFailure",
                "schedulerName": "default-scheduler",
                "serviceAccountName": "costplane",
            },
            "status": {"phase": "Succeeded", "startTime": ts(last)},
        },
    )


def kubectl_list(items: Iterable[Obj]) -> Obj:
    return {
        "apiVersion": "v1",
        "items": list(items),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def decimal_gib(quantity: str) -> Decimal:
    from costplane.quantity import memory_bytes

    return Decimal(memory_bytes(quantity)) / GI
