"""Namespaces and what each holds: its workloads, volumes and snapshots, and for a tenant
its quota, limit range, sleep schedule and ingress.

Sleeping namespaces are asleep at the end (00:00 UTC is night in Europe), so their
Deployments show kube-green's `replicas: 0` and have no pods. A PVC counts as in use
when a pod or a workload's pod template mounts it.
"""

from __future__ import annotations

import datetime as dt

from costplane.catalog import LabelKeys
from costplane_fleet.clusters import PodSlot
from costplane_fleet.kubernetes.ingress import tenant_ingress
from costplane_fleet.kubernetes.objects import (
    Inventory,
    cpu_quantity,
    memory_quantity,
    meta,
    ts,
)
from costplane_fleet.kubernetes.pods import cronjob, workload
from costplane_fleet.kubernetes.volumes import (
    PLATFORM_VOLUMES,
    bound_claim,
    released_volume,
    snapshots,
)
from costplane_fleet.offering import SERVICE_CLASSES
from costplane_fleet.planted import Plants, plant_factor
from costplane_fleet.spec import FleetSpec
from costplane_fleet.workloads import ORPHAN_PVC, Namespace

LABELS = LabelKeys()
LOG_RETENTION_ANNOTATION = "costplane.io/log-retention-days"


def namespace_labels(ns: Namespace) -> dict[str, str]:
    labels = {"kubernetes.io/metadata.name": ns.name}
    if ns.shared:
        labels[LABELS.shared] = "true"
    elif ns.labelled and ns.tenant is not None and ns.environment is not None:
        labels[LABELS.environment] = ns.environment.value
        labels[LABELS.service_class] = ns.tenant.service_class
        labels[LABELS.tenant] = ns.tenant.id
    return labels


def namespace_objects(
    inv: Inventory,
    ns: Namespace,
    slots_by_workload: dict[int, list[PodSlot]],
    plants: Plants,
    spec: FleetSpec,
) -> None:
    """The namespace and everything in it, planted problems included."""
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
        workload(inv, ns, w, slots_by_workload.get(id(w), []), tenant_pool, spec)
    if ns.tenant is not None and ns.environment is not None and ns.labelled:
        t = ns.tenant
        tenant_objects(inv, ns, spec)
        if ns.environment.value == "production":
            if plants.has("volume-orphaned", t.id) and t.index % 2 == 0:
                created = end - dt.timedelta(days=plant_factor(spec, "orphan", t.id, 12, 120))
                claims.append((ORPHAN_PVC, "nimbus-ssd", 20, created))
            snapshots(inv, ns, plants, spec)
    for name, sc, gib, created in claims:
        bound_claim(inv, ns, name, sc, gib, created)
    if (
        ns.tenant is not None
        and ns.environment is not None
        and ns.environment.value == "production"
        and plants.has("volume-orphaned", ns.tenant.id)
        and ns.tenant.index % 2 == 1
    ):
        released_volume(inv, ns, spec)
    for cj in ns.cronjobs:
        cronjob(inv, ns, cj, spec)


def tenant_objects(inv: Inventory, ns: Namespace, spec: FleetSpec) -> None:
    """What a tenant namespace gets from its class: quota, limit range, sleep schedule and
    ingress."""
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
    tenant_ingress(inv, ns)
