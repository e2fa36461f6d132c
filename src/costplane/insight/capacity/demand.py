"""What the packing is asked to hold: one record per pod, its requests and where it may run.

The packing never reads Kubernetes objects itself: it takes `PodDemand`s. The service
builds them from the pods' current requests (`pod_demands`); a rightsizing
recommendation builds the same records with its recommended requests instead
(`with_requests`), so idle capacity can be judged "with the recommended requests" without
the packing knowing where the numbers came from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.quantity import cpu_cores, memory_bytes

DAEMON_KINDS = frozenset({"DaemonSet", "Node"})
"""Owners whose pods run once per node (and static pods, owned by their Node): they are
per-node overhead, not pods to pack."""

FINISHED = frozenset({"Succeeded", "Failed"})


@dataclass(frozen=True)
class Toleration:
    """A pod's toleration, as Kubernetes matches it against a node's taint."""

    key: str | None = None
    operator: str = "Equal"
    value: str | None = None
    effect: str | None = None

    def tolerates(self, taint: Taint) -> bool:
        if self.effect and self.effect != taint.effect:
            return False
        if self.key is None:  # an empty key with Exists tolerates every taint
            return self.operator == "Exists"
        if self.key != taint.key:
            return False
        return self.operator == "Exists" or (self.value or "") == (taint.value or "")


@dataclass(frozen=True)
class Taint:
    key: str
    value: str | None
    effect: str

    @property
    def repels(self) -> bool:
        """NoSchedule and NoExecute keep an untolerating pod off; PreferNoSchedule only
        discourages it, so the packing ignores it."""
        return self.effect in ("NoSchedule", "NoExecute")


@dataclass(frozen=True)
class NodeRequirement:
    """One `matchExpressions` item of a required node affinity term."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def holds(self, labels: Mapping[str, str]) -> bool:
        value = labels.get(self.key)
        if self.operator == "In":
            return value is not None and value in self.values
        if self.operator == "NotIn":
            return value is None or value not in self.values
        if self.operator == "Exists":
            return value is not None
        if self.operator == "DoesNotExist":
            return value is None
        if self.operator in ("Gt", "Lt") and value is not None and self.values:
            try:
                left, right = int(value), int(self.values[0])
            except ValueError:
                return False
            return left > right if self.operator == "Gt" else left < right
        return False


@dataclass(frozen=True)
class PodDemand:
    """One pod to place: its requests (cores, bytes) and the constraints on its node.

    `affinity` is the required node affinity: a tuple of terms, any of which must hold,
    each a tuple of requirements that must all hold (Kubernetes' `nodeSelectorTerms`).
    `node_pool` is the pool it ran in, if known: it stays there when that pool may take
    it. `hours` are the hours of the window it ran (offsets from the window's start); empty
    means every hour (a pod pending now, or one the packing should hold throughout).
    """

    cluster: str
    namespace: str
    name: str
    cpu_cores: Decimal
    memory_bytes: Decimal
    node_selector: Mapping[str, str] = dataclasses.field(default_factory=dict)
    affinity: tuple[tuple[NodeRequirement, ...], ...] = ()
    tolerations: tuple[Toleration, ...] = ()
    node_pool: str | None = None
    hours: frozenset[int] = frozenset()
    pinned: bool = False
    """Ran in `node_pool` but is gone now, its constraints unknown: it stays in that pool."""

    def fits_labels(self, labels: Mapping[str, str]) -> bool:
        if any(labels.get(k) != v for k, v in self.node_selector.items()):
            return False
        return not self.affinity or any(
            all(r.holds(labels) for r in term) for term in self.affinity
        )

    def tolerates(self, taints: Iterable[Taint]) -> bool:
        return all(
            any(t.tolerates(taint) for t in self.tolerations) for taint in taints if taint.repels
        )

    def with_requests(self, cpu: Decimal, memory: Decimal) -> PodDemand:
        """The same pod asking for other requests (a rightsizing recommendation)."""
        return dataclasses.replace(self, cpu_cores=cpu, memory_bytes=memory)


def pod_requests(pod: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """A pod's effective requests as the scheduler counts them: the sum of its containers',
    or the largest init container's when that is more (per resource)."""
    spec = pod.get("spec") or {}

    def summed(containers: Iterable[Mapping[str, Any]]) -> list[tuple[Decimal, Decimal]]:
        out = []
        for container in containers:
            requests = (container.get("resources") or {}).get("requests") or {}
            out.append(
                (
                    cpu_cores(requests.get("cpu", 0)),
                    Decimal(memory_bytes(requests.get("memory", 0))),
                )
            )
        return out

    main = summed(spec.get("containers") or [])
    init = summed(spec.get("initContainers") or [])
    cpu = sum((c for c, _ in main), Decimal(0))
    memory = sum((m for _, m in main), Decimal(0))
    cpu = max([cpu, *(c for c, _ in init)])
    memory = max([memory, *(m for _, m in init)])
    overhead = spec.get("overhead") or {}
    cpu += cpu_cores(overhead.get("cpu", 0))
    memory += Decimal(memory_bytes(overhead.get("memory", 0)))
    return cpu, memory


def is_daemon(pod: Mapping[str, Any]) -> bool:
    owners = (pod.get("metadata") or {}).get("ownerReferences") or []
    return any(owner.get("kind") in DAEMON_KINDS for owner in owners)


def is_finished(pod: Mapping[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in FINISHED


def pod_demand(cluster: str, pod: Mapping[str, Any], node_pool: str | None) -> PodDemand:
    """A running or pending pod as a demand, with its current requests."""
    metadata, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    cpu, memory = pod_requests(pod)
    return PodDemand(
        cluster=cluster,
        namespace=metadata.get("namespace") or "",
        name=metadata.get("name") or "",
        cpu_cores=cpu,
        memory_bytes=memory,
        node_selector=dict(spec.get("nodeSelector") or {}),
        affinity=required_affinity(spec),
        tolerations=tuple(
            Toleration(
                key=t.get("key") or None,
                operator=t.get("operator") or "Equal",
                value=t.get("value"),
                effect=t.get("effect") or None,
            )
            for t in spec.get("tolerations") or []
        ),
        node_pool=node_pool,
    )


def required_affinity(spec: Mapping[str, Any]) -> tuple[tuple[NodeRequirement, ...], ...]:
    node_affinity = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    return tuple(
        tuple(
            NodeRequirement(e["key"], e["operator"], tuple(e.get("values") or ()))
            for e in term.get("matchExpressions") or []
        )
        for term in required.get("nodeSelectorTerms") or []
    )
