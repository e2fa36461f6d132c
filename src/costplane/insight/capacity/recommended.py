"""The pods asking for what rightsizing recommends: `recommend nodes --requests recommended`.

Each pod's requests move by its workload's recommendation, container by container (the
recommendation minus the current request), so a container rightsizing says nothing about
(too few samples, a pod without a known owner) keeps what it asks for now.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from costplane.insight.capacity.demand import PodDemand
from costplane.insight.rightsizing import ContainerRecommendation, WorkloadKey, pod_owner
from costplane.quantity import cpu_cores, memory_bytes

ZERO = Decimal(0)


def with_recommended_requests(
    demands: Sequence[PodDemand], containers: Sequence[ContainerRecommendation]
) -> list[PodDemand]:
    change: dict[WorkloadKey, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for c in containers:
        key = (c.cluster, c.namespace, c.kind, c.workload)
        cpu, memory = change[key]
        change[key] = (
            cpu + _delta(c.cpu_recommended, c.cpu_request, cpu_cores),
            memory + _delta(c.memory_recommended, c.memory_request, memory_bytes),
        )
    known = set(change)
    moved = []
    for pod in demands:
        found = pod_owner(pod.cluster, pod.namespace, pod.name, known)
        if found is None:
            moved.append(pod)
            continue
        cpu, memory = change[(pod.cluster, pod.namespace, *found)]
        moved.append(
            pod.with_requests(max(ZERO, pod.cpu_cores + cpu), max(ZERO, pod.memory_bytes + memory))
        )
    return moved


def _delta(
    recommended: str | None, current: str | None, parse: Callable[[str], Decimal | int]
) -> Decimal:
    """What the request moves by; a container without a request asks for nothing now."""
    if recommended is None:
        return ZERO
    return Decimal(parse(recommended)) - (Decimal(parse(current)) if current else ZERO)
