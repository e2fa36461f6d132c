"""Workloads and their pods: Deployments, StatefulSets, their HPAs, the pods running at the
end, and the collector CronJob with its last (Succeeded) pod."""

from __future__ import annotations

import datetime as dt

from costplane_fleet.clusters import Node, PodSlot
from costplane_fleet.kubernetes.objects import (
    NODE_POOL_LABEL,
    Inventory,
    Obj,
    cpu_quantity,
    memory_quantity,
    meta,
    octet,
    owner_ref,
    ts,
    uid_of,
)
from costplane_fleet.kubernetes.volumes import PLATFORM_VOLUMES
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex
from costplane_fleet.workloads import Container, Namespace, Workload


def container_spec(c: Container, pvc: str | None) -> Obj:
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


def pod_labels(w: Workload, template_hash: str | None) -> dict[str, str]:
    labels = {
        "app.kubernetes.io/name": w.name if w.role == "platform" else "odoo",
        "app.kubernetes.io/component": w.name,
    }
    if template_hash:
        labels["pod-template-hash"] = template_hash
    return labels


def pod_spec(w: Workload, volume_claim: str | None, node: Node | None, tenant_pool: bool) -> Obj:
    spec: Obj = {
        "containers": [container_spec(c, volume_claim) for c in w.containers],
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


def image_id(image: str) -> str:
    repo = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repo}@sha256:{digest_hex('image', image, length=64)}"


def workload(
    inv: Inventory,
    ns: Namespace,
    w: Workload,
    slots: list[PodSlot],
    tenant_pool: bool,
    spec: FleetSpec,
) -> None:
    c = ns.cluster
    live = 0 if ns.sleeps else w.replicas
    labels = pod_labels(w, None)
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
    template_spec = pod_spec(w, claim, None, tenant_pool)
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
                                "target": {
                                    "averageUtilization": HPA_TARGET_UTILIZATION,
                                    "type": "Utilization",
                                },
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
        pod_body = pod_spec(w, pod_claim, s.node, tenant_pool)
        if sts_claims:
            pod_body["containers"][0]["volumeMounts"] = [{"mountPath": "/data", "name": "data"}]
            pod_body["volumes"] = [
                {"name": "data", "persistentVolumeClaim": {"claimName": pod_claim}}
            ]
        labels_of_pod = pod_labels(w, template_hash if w.kind == "Deployment" else None)
        inv.add(
            c,
            "pods",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta(c, "Pod", name, started, ns.name, labels_of_pod, owner=owner),
                "spec": pod_body,
                "status": pod_status(w, s, started, "Running"),
            },
        )


def container_id(s: PodSlot, generation: object = "stable") -> str:
    """The runtime's id of the slot's container; a pod started again (a sleeping namespace
    woken) runs a new container."""
    parts: tuple[object, ...] = (s.node.name, s.workload.name, s.replica)
    if generation != "stable":
        parts = (*parts, generation)
    return "containerd://" + digest_hex("ctr", *parts, length=64)


def pod_status(w: Workload, s: PodSlot, started: dt.datetime, phase: str) -> Obj:
    running = phase == "Running"
    return {
        "conditions": [
            {"lastTransitionTime": ts(started), "status": "True", "type": t}
            for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "containerStatuses": [
            {
                "containerID": container_id(s),
                "image": ct.image,
                "imageID": image_id(ct.image),
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
        "podIP": f"10.{100 + octet(s.node.name) % 100}.{octet(s.node.name, 'c')}."
        f"{octet(w.namespace, w.name, s.replica) % 250 + 2}",
        "qosClass": "Burstable",
        "startTime": ts(started),
    }


HPA_TARGET_UTILIZATION = 75
"""The fleet's HPAs scale their Deployment on CPU at 75 % of the request."""
COLLECT_IMAGE = "registry.example.com/costplane:0.1.0"
COLLECT_CONTAINER = "collect"
JOB_MINUTE = 5
"""The collector CronJob's schedule: at minute 5 of every hour."""


def job_name(cronjob_name: str, scheduled: dt.datetime) -> str:
    """The Job a CronJob creates for a scheduled time: `<cronjob>-<minutes since the epoch>`."""
    return f"{cronjob_name}-{int(scheduled.replace(tzinfo=dt.UTC).timestamp()) // 60}"


def job_pod_name(job: str) -> str:
    return f"{job}-{digest_hex(job, length=5)}"


def cronjob(inv: Inventory, ns: Namespace, name: str, spec: FleetSpec) -> None:
    c = ns.cluster
    image = COLLECT_IMAGE
    container = {
        "args": ["collect", "--all"],
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": COLLECT_CONTAINER,
        "resources": {
            "limits": {"cpu": "500m", "memory": "512Mi"},
            "requests": {"cpu": "100m", "memory": "256Mi"},
        },
    }
    created = spec.start_at - dt.timedelta(days=200)
    last = spec.end_at - dt.timedelta(minutes=60 - JOB_MINUTE)
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
                "schedule": f"{JOB_MINUTE} * * * *",
                "successfulJobsHistoryLimit": 1,
                "suspend": False,
            },
            "status": {
                "lastScheduleTime": ts(last),
                "lastSuccessfulTime": ts(last + dt.timedelta(minutes=1)),
            },
        },
    )
    job = job_name(name, last)
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
                job_pod_name(job),
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
