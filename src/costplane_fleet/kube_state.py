"""What kube-state-metrics (v2.15) and cAdvisor's machine metrics say about the fleet, as
label sets: the series that tie pods to their workloads (KRR, Kubecost and the Grafana
dashboards of kube-prometheus read these), the HorizontalPodAutoscalers, and the nodes.

Labels are named and valued as the exporters write them (kube-state-metrics'
`internal/store/pod.go`, `replicaset.go`, `job.go`, `horizontalpodautoscaler.go`;
cAdvisor's `lib/metrics/prometheus_machine.go`), with the `cluster` label first, as
a Prometheus's external label adds it. Labels kube-state-metrics writes empty (an
HPA target's `container` for a Resource metric) are left out: Prometheus drops empty
labels when it stores a sample. Nothing here is random: names and ids are digests
of what they name, so the inventory and the series agree (a pod's `uid`, its
container's `container_id`).

Series of a pod (owner, phase, container info) exist in the hours the pod has usage
rows, as the pods exist only then; those of workloads, autoscalers and nodes in every
hour (the objects are there all window; kube-green scales Deployments to zero, it
does not delete them). The collector CronJob's Job of each hour and its Succeeded pod
are in the hour's sample only: the next run replaces them
(`successfulJobsHistoryLimit: 1`).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np

from costplane_fleet.clusters import Node
from costplane_fleet.kubernetes.pods import (
    COLLECT_CONTAINER,
    COLLECT_IMAGE,
    HPA_TARGET_UTILIZATION,
    JOB_MINUTE,
    container_id,
    image_id,
    job_name,
    job_pod_name,
)
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import digest_hex, object_uid
from costplane_fleet.usage import UsageSamples
from costplane_fleet.workloads import Namespace

PHASES = ("Pending", "Succeeded", "Failed", "Unknown", "Running")
"""In kube-state-metrics' order: one series per phase, 1 for the pod's phase, 0 otherwise."""


def quoted(value: str) -> str:
    """A label value as the exposition formats write it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def labels(**pairs: str) -> str:
    """`a="x",b="y"` in the order given (no braces)."""
    return ",".join(f"{key}={quoted(value)}" for key, value in pairs.items())


@dataclass(frozen=True)
class PodLabels:
    """Per pod index of the usage samples (one container of one pod): the label sets of its
    pod-level series and of its container's info series."""

    pod: list[str]
    """`cluster, namespace, pod, uid`: what every kube-state-metrics pod series starts with."""
    owner: list[str]
    """`owner_kind, owner_name, owner_is_controller` of kube_pod_owner."""
    container: list[str]
    """`container, image_spec, image, image_id, container_id` of kube_pod_container_info."""
    first: np.ndarray
    """True where the container is its pod's first: pod-level series are written once."""


def pod_uid(cluster: str, namespace: str, pod: str) -> str:
    """The pod's metadata.uid, as the inventory gives it."""
    return object_uid(cluster, "Pod", namespace, pod)


def pod_labels(usage: UsageSamples) -> PodLabels:
    digest_of = functools.cache(image_id)  # a few images, many pods
    base: list[str] = []
    owner: list[str] = []
    container: list[str] = []
    first = np.zeros(len(usage.pod_names), dtype=bool)
    for k, (name, series) in enumerate(zip(usage.pod_names, usage.pod_series, strict=True)):
        slot, ct = usage.series_slots[int(series)]
        w = slot.workload
        cluster = slot.node.cluster
        base.append(
            labels(
                cluster=cluster,
                namespace=w.namespace,
                pod=name,
                uid=pod_uid(cluster, w.namespace, name),
            )
        )
        if w.kind == "Deployment":
            kind, owner_name = "ReplicaSet", replicaset_name(w.name, slot.template_hash)
        else:
            kind, owner_name = w.kind, w.name
        owner.append(labels(owner_kind=kind, owner_name=owner_name, owner_is_controller="true"))
        generation = "stable" if name == slot.stable_name else name
        container.append(
            labels(
                container=ct.name,
                image_spec=ct.image,
                image=ct.image,
                image_id=digest_of(ct.image),
                container_id=container_id(slot, generation),
            )
        )
        first[k] = w.containers.index(ct) == 0
    return PodLabels(base, owner, container, first)


def replicaset_name(deployment: str, template_hash: str) -> str:
    return f"{deployment}-{template_hash}"


@dataclass(frozen=True)
class Series:
    """One series: its label set and its value per hour of the window (absent where
    `present` is False)."""

    labels: str
    values: np.ndarray
    present: np.ndarray


def _always(value: int | float, hours: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full(hours, value), np.ones(hours, dtype=bool)


def replicaset_owners(usage: UsageSamples, spec: FleetSpec) -> list[Series]:
    """kube_replicaset_owner: each Deployment's ReplicaSet (the fleet keeps one revision)."""
    seen: dict[tuple[str, str, str], str] = {}
    for slot, _ in usage.series_slots:
        w = slot.workload
        if w.kind == "Deployment":
            key = (slot.node.cluster, w.namespace, replicaset_name(w.name, slot.template_hash))
            seen.setdefault(key, w.name)
    return [
        Series(
            labels(
                cluster=cluster,
                namespace=namespace,
                replicaset=rs,
                owner_kind="Deployment",
                owner_name=deployment,
                owner_is_controller="true",
            ),
            *_always(1, spec.hours),
        )
        for (cluster, namespace, rs), deployment in seen.items()
    ]


@dataclass(frozen=True)
class Autoscalers:
    """The five kube_horizontalpodautoscaler_* families, one series per HPA each."""

    max_replicas: list[Series]
    min_replicas: list[Series]
    target_metric: list[Series]
    current_replicas: list[Series]
    desired_replicas: list[Series]


def autoscalers(usage: UsageSamples, spec: FleetSpec) -> Autoscalers:
    """Each HPA holds its Deployment at its minimum (no autoscaling is modelled): current
    and desired replicas are the pods running in the hour."""
    out = Autoscalers([], [], [], [], [])
    done: set[tuple[str, str, str]] = set()
    for slot, _ in usage.series_slots:
        w = slot.workload
        key = (slot.node.cluster, w.namespace, w.name)
        if w.hpa_max is None or key in done:
            continue
        done.add(key)
        hpa = labels(cluster=key[0], namespace=w.namespace, horizontalpodautoscaler=w.name)
        awake = usage.namespace_awake[(key[0], w.namespace)]
        running = np.where(awake, w.replicas, 0)
        every = np.ones(spec.hours, dtype=bool)
        out.max_replicas.append(Series(hpa, *_always(w.hpa_max, spec.hours)))
        out.min_replicas.append(Series(hpa, *_always(w.replicas, spec.hours)))
        target = labels(metric_name="cpu", metric_target_type="utilization")
        out.target_metric.append(
            Series(f"{hpa},{target}", *_always(HPA_TARGET_UTILIZATION, spec.hours))
        )
        out.current_replicas.append(Series(hpa, running, every))
        out.desired_replicas.append(Series(hpa, running, every))
    return out


def machines(nodes: list[Node], spec: FleetSpec) -> tuple[list[Series], list[Series]]:
    """machine_cpu_cores and machine_memory_bytes per node, as the kubelet's cAdvisor reports
    them (the Prometheus Operator's kubelet scrape adds `node`)."""
    cores: list[Series] = []
    memory: list[Series] = []
    for node in nodes:
        machine = labels(
            cluster=node.cluster,
            machine_id=digest_hex("machine-id", node.provider_id),
            system_uuid=object_uid("system", node.provider_id),
            boot_id=object_uid("boot", node.name, node.created.isoformat()),
            node=node.name,
        )
        cores.append(Series(machine, *_always(node.instance.vcpu, spec.hours)))
        memory.append(Series(machine, *_always(node.capacity_memory, spec.hours)))
    return cores, memory


@dataclass(frozen=True)
class CollectorJobs:
    """Per hour and cluster, the collector CronJob's Job and its Succeeded pod."""

    job_owner: list[Series]
    pod_owner: list[Series]
    pod_phase: list[Series]
    """Five series per pod, in PHASES order."""
    container_info: list[Series]


def collector_jobs(namespaces: list[Namespace], spec: FleetSpec) -> CollectorJobs:
    out = CollectorJobs([], [], [], [])
    one, zero = np.ones(spec.hours), np.zeros(spec.hours)  # shared: the masks differ
    for ns in namespaces:
        for cronjob in ns.cronjobs:
            for hour in range(spec.hours):
                scheduled = spec.start_at + dt.timedelta(hours=hour, minutes=JOB_MINUTE)
                job = job_name(cronjob, scheduled)
                pod = job_pod_name(job)
                only = np.zeros(spec.hours, dtype=bool)
                only[hour] = True
                out.job_owner.append(
                    Series(
                        labels(
                            cluster=ns.cluster,
                            namespace=ns.name,
                            job_name=job,
                            owner_kind="CronJob",
                            owner_name=cronjob,
                            owner_is_controller="true",
                        ),
                        one,
                        only,
                    )
                )
                base = labels(
                    cluster=ns.cluster,
                    namespace=ns.name,
                    pod=pod,
                    uid=pod_uid(ns.cluster, ns.name, pod),
                )
                owner = labels(owner_kind="Job", owner_name=job, owner_is_controller="true")
                out.pod_owner.append(Series(f"{base},{owner}", one, only))
                for phase in PHASES:
                    value = one if phase == "Succeeded" else zero
                    out.pod_phase.append(Series(f"{base},{labels(phase=phase)}", value, only))
                info = labels(
                    container=COLLECT_CONTAINER,
                    image_spec=COLLECT_IMAGE,
                    image=COLLECT_IMAGE,
                    image_id=image_id(COLLECT_IMAGE),
                    container_id="containerd://" + digest_hex("ctr", ns.cluster, pod, length=64),
                )
                out.container_info.append(Series(f"{base},{info}", one, only))
    return out
