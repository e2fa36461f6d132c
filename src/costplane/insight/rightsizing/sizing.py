"""Per workload container: the evidence, the strategy's proposal, KRR's rounding, and
what the current requests leave unused.

The one computation: `costplane recommend workloads` shows it per container and the
`requests-oversized` policy's facts add it up per workload, so the two agree number for
number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from costplane.insight.rightsizing.options import StrategyOptions
from costplane.insight.rightsizing.owners import WorkloadKey, candidates, owner
from costplane.insight.rightsizing.records import building_records
from costplane.insight.rightsizing.rounding import round_cpu, round_memory
from costplane.insight.rightsizing.samples import (
    KEY,
    USAGE,
    unowned_pods,
    workload_usage,
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

    A pod's workload is the one its rows name (`workload_kind`, `workload_name`); only
    for rows that name none is it read from the pod's name (`owners.owner`). `known`,
    the inventory's workloads, keeps the workloads that exist (and picks among a name's
    candidates); with `every_candidate` a nameless pod counts for every workload its
    name could belong to, for a caller that looks workloads up by kind and name (the
    policy facts). `hpa` maps HPA-scaled workloads to their target CPU utilisation
    (percent; None when the HPA does not scale on CPU utilisation): their CPU is sized
    per pod so that the percentile sits at the target."""
    owners: list[tuple[str, str, str, str, str]] = []
    for cluster, namespace, pod in unowned_pods(warehouse, start, end):
        if every_candidate:
            found = candidates(pod)
        else:
            one = owner(cluster, namespace, pod, known)
            found = [one] if one is not None else []
        owners.extend((cluster, namespace, pod, kind, workload) for kind, workload in found)
    table = workload_usage(
        warehouse,
        start,
        end,
        options.percentile,
        owners,
        pools=strategy.pools,
        every_pod=strategy.needs_every_pod,
    )
    # Sorted by key (unique): Arrow orders strings by their UTF-8 bytes, as Python does
    # by code points.
    table = table.sort_by([(name, "ascending") for name in KEY])
    rows = table.num_rows
    columns = [
        table.column(name).to_pylist() if name in table.column_names else [None] * rows
        for name in _COLUMNS
    ]
    targets = hpa or {}
    sized = []
    with building_records():
        for row in zip(*columns, strict=True):
            if known is None or row[:4] in known:
                sized.append(_sized(row, strategy, options, targets))
    return sized


_COLUMNS = [*USAGE, "pooled", "cpu_per_pod", "peaks"]
"""What `_sized` reads of a row of `workload_usage`, in order."""
_Row = tuple[Any, ...]


def _sized(
    row: _Row,
    strategy: Strategy,
    options: StrategyOptions,
    hpa: Mapping[WorkloadKey, int | None],
) -> SizedContainer:
    (
        cluster,
        namespace,
        kind,
        workload,
        container,
        pods,
        samples,
        cpu,
        cpu_max,
        memory_peak,
        cpu_request,
        cpu_limit,
        memory_request,
        memory_limit,
        pooled,
        cpu_per_pod,
        peaks,
    ) = row
    if strategy.needs_every_pod:
        per_pod = [value for value in cpu_per_pod or [] if value is not None]
        peaks = [peak for peak in peaks or [] if peak is not None]
    else:  # the strategy reads the highest only: the engine's
        per_pod = [] if cpu is None else [cpu]
        peaks = [] if memory_peak is None else [memory_peak]
    enough = samples >= options.min_samples
    usable = bool(per_pod) and (pooled is not None or not strategy.pools)
    cpu_usage = strategy.cpu(per_pod, pooled) if usable else None
    workload_key = (cluster, namespace, kind, workload)
    scaled = workload_key in hpa
    target = hpa.get(workload_key) if scaled else None
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
        cluster,
        namespace,
        kind,
        workload,
        container,
        pods,
        samples,
        _cores(cpu_request),
        _cores(cpu_limit),
        memory_request,
        memory_limit,
        cpu_usage,
        cpu_max,
        memory_peak,
        cpu_recommended,
        memory_recommended,
        target,
    )


_DECIMAL_CORES: dict[float, Decimal] = {}


def _cores(value: float | None) -> Decimal | None:
    """A stored request in cores as the quantity it was (0.25 -> 0.25, not 0.2500000001);
    remembered: a fleet's requests take few distinct values (a dict, not `lru_cache`,
    whose key wrapping costs more than the conversion saves)."""
    if value is None:
        return None
    found = _DECIMAL_CORES.get(value)
    if found is None:
        if len(_DECIMAL_CORES) >= _REMEMBERED:
            _DECIMAL_CORES.clear()
        found = _DECIMAL_CORES[value] = Decimal(repr(value))
    return found


_REMEMBERED = 4096
