"""Per workload container: the evidence, the strategy's proposal, KRR's rounding, and
what the current requests leave unused.

The one computation: `costplane recommend workloads` shows it per container and the
`requests-oversized` policy's facts add it up per workload, so the two agree number for
number.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from costplane.insight.rightsizing.options import StrategyOptions
from costplane.insight.rightsizing.owners import WorkloadKey, candidates, owner
from costplane.insight.rightsizing.rounding import round_cpu, round_memory
from costplane.insight.rightsizing.samples import (
    ContainerKey,
    PodUsage,
    pod_usage,
    pooled_cpu,
)
from costplane.insight.rightsizing.strategies import Strategy
from costplane.warehouse import Warehouse


@dataclass(frozen=True)
class SizedContainer:
    """A workload container: what it requests, what it used, what it should request."""

    cluster: str
    namespace: str
    kind: str
    workload: str
    container: str
    pods: int
    """Pods of the workload running in the container's newest hour (its replicas now)."""
    samples: int
    """Hourly samples of the container in the window, over all its pods."""
    cpu_request: Decimal | None
    """The newest pod's request (a pod's requests are fixed for its life)."""
    cpu_limit: Decimal | None
    memory_request: int | None
    memory_limit: int | None
    cpu_usage: float | None
    """What the strategy proposes from (cores, unrounded): KRR's p95."""
    cpu_max: float | None
    """The highest `cpu_usage_max_cores` of any pod (evidence)."""
    memory_peak: float | None
    """The highest peak working set of any pod (bytes)."""
    cpu_recommended: Decimal | None
    """None below the minimum samples, or for an HPA that scales on CPU without a target."""
    memory_recommended: int | None
    hpa_target_cpu_percent: int | None = None

    @property
    def workload_key(self) -> WorkloadKey:
        return (self.cluster, self.namespace, self.kind, self.workload)

    @property
    def cpu_reclaimable(self) -> Decimal:
        """Cores requested beyond the recommendation, over the running pods."""
        if self.cpu_request is None or self.cpu_recommended is None:
            return Decimal(0)
        return self.pods * max(Decimal(0), self.cpu_request - self.cpu_recommended)

    @property
    def memory_reclaimable(self) -> int:
        """Bytes requested beyond the recommendation, over the running pods."""
        if self.memory_request is None or self.memory_recommended is None:
            return 0
        return self.pods * max(0, self.memory_request - self.memory_recommended)

    @property
    def cpu_short(self) -> bool:
        """The recommendation is above the request: the container competes for CPU."""
        return _above(self.cpu_recommended, self.cpu_request)

    @property
    def memory_short(self) -> bool:
        """The recommendation is above the request: near its peak it risks an OOM kill."""
        return _above(self.memory_recommended, self.memory_request)


def _above(recommended: Decimal | int | None, request: Decimal | int | None) -> bool:
    return recommended is not None and (request is None or recommended > request)


def size_containers(
    warehouse: Warehouse,
    start: dt.datetime,
    end: dt.datetime,
    strategy: Strategy,
    options: StrategyOptions,
    *,
    known: Container[WorkloadKey] | None = None,
    every_candidate: bool = False,
    hpa: Mapping[WorkloadKey, int | None] | None = None,
) -> list[SizedContainer]:
    """Every workload container with samples in [start, end) (naive UTC).

    Pods go to their owner by name (`owners.owner`, `known` being the inventory's
    workloads); with `every_candidate` a pod counts for every workload its name could
    belong to, for a caller that looks workloads up by kind and name (the policy facts).
    `hpa` maps HPA-scaled workloads to their target CPU utilisation (percent; None when
    the HPA does not scale on CPU utilisation): their CPU is sized per pod so that the
    percentile sits at the target."""
    pods = pod_usage(warehouse, start, end, options.percentile)
    owned: dict[ContainerKey, list[PodUsage]] = defaultdict(list)
    owners: set[tuple[str, str, str, str, str]] = set()
    owner_of: dict[tuple[str, str, str], list[tuple[str, str]]] = {}
    for pod in pods:
        place = (pod.cluster, pod.namespace, pod.pod)
        found = owner_of.get(place)
        if found is None:
            if every_candidate:
                found = candidates(pod.pod)
            else:
                one = owner(pod.cluster, pod.namespace, pod.pod, known)
                found = [one] if one is not None else []
            owner_of[place] = found
        for kind, workload in found:
            owned[(pod.cluster, pod.namespace, kind, workload, pod.container)].append(pod)
            owners.add((pod.cluster, pod.namespace, pod.pod, kind, workload))
    pooled = (
        pooled_cpu(warehouse, start, end, options.percentile, sorted(owners))
        if strategy.pools
        else {}
    )
    targets = hpa or {}
    return [
        _sized(key, group, strategy, options, pooled.get(key), targets)
        for key, group in sorted(owned.items())
    ]


def _sized(
    key: ContainerKey,
    pods: Sequence[PodUsage],
    strategy: Strategy,
    options: StrategyOptions,
    pooled: float | None,
    hpa: Mapping[WorkloadKey, int | None],
) -> SizedContainer:
    cluster, namespace, kind, workload, container = key
    newest = max(pod.last for pod in pods)
    current = max((p for p in pods if p.last == newest), key=lambda p: p.pod)
    samples = sum(pod.samples for pod in pods)
    per_pod = [pod.cpu for pod in pods if pod.cpu is not None]
    peaks = [pod.memory_peak for pod in pods if pod.memory_peak is not None]
    maxima = [pod.cpu_max for pod in pods if pod.cpu_max is not None]
    enough = samples >= options.min_samples
    usable = bool(per_pod) and (pooled is not None or not strategy.pools)
    cpu_usage = strategy.cpu(per_pod, pooled) if usable else None
    workload_key = (cluster, namespace, kind, workload)
    scaled = workload_key in hpa
    target = hpa.get(workload_key)
    cpu_recommended = None
    if enough and cpu_usage is not None and (not scaled or target):
        sized_usage = cpu_usage / (target / 100) if target else cpu_usage
        cpu_recommended = round_cpu(sized_usage, options.cpu_floor_millicores)
    memory_recommended = None
    if enough and peaks:
        memory_recommended = round_memory(
            strategy.memory(peaks, options.memory_buffer_percent), options.memory_floor_mib
        )
    return SizedContainer(
        cluster=cluster,
        namespace=namespace,
        kind=kind,
        workload=workload,
        container=container,
        pods=sum(1 for pod in pods if pod.last == newest),
        samples=samples,
        cpu_request=_cores(current.cpu_request),
        cpu_limit=_cores(current.cpu_limit),
        memory_request=current.memory_request,
        memory_limit=current.memory_limit,
        cpu_usage=cpu_usage,
        cpu_max=max(maxima) if maxima else None,
        memory_peak=max(peaks) if peaks else None,
        cpu_recommended=cpu_recommended,
        memory_recommended=memory_recommended,
        hpa_target_cpu_percent=target if scaled else None,
    )


def _cores(value: float | None) -> Decimal | None:
    """A stored request in cores as the quantity it was (0.25 -> 0.25, not 0.2500000001)."""
    return None if value is None else Decimal(repr(value))
