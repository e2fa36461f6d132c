"""Facts from rightsizing (`costplane.insight.rightsizing`): each workload's recommendation
by the default strategy, summed over its containers, and what its requests exceed it by.

The `requests-oversized` policy reads these, so its findings and `costplane recommend
workloads` are one computation: a finding's money is the sum of its workload's
containers' monthly savings in the command.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import bounds
from costplane.governance.inventory.resources import ResourceRef
from costplane.insight.rightsizing import (
    DEFAULT_STRATEGY,
    SizedContainer,
    StrategyOptions,
    WorkloadKey,
    size_containers,
    strategy_named,
)

Sized = dict[WorkloadKey, list[SizedContainer]]


class RightsizingFacts(WarehouseProvider):
    """The default strategy's recommendation per workload, one query per window."""

    FACTS = (
        FactDefinition(
            "cpu_recommended_cores",
            FactType.QUANTITY,
            "the workload's recommended CPU request (the default rightsizing strategy, KRR's "
            "simple: highest pod p95, rounded up to 1m), summed over its containers",
            windowed=True,
        ),
        FactDefinition(
            "memory_recommended_bytes",
            FactType.BYTES,
            "the workload's recommended memory request (highest peak + 15 %, rounded up to "
            "1Mi), summed over its containers",
            windowed=True,
        ),
        FactDefinition(
            "cpu_reclaimable_cores",
            FactType.QUANTITY,
            "cores the workload's running pods request beyond the recommendation",
            windowed=True,
        ),
        FactDefinition(
            "memory_reclaimable_bytes",
            FactType.BYTES,
            "bytes the workload's running pods request beyond the recommendation",
            windowed=True,
        ),
    )

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        start, end = bounds(request)
        assert start is not None, "rightsizing facts are windowed"
        sized = self.cache.get(("sized", start, end), lambda: self._sized(start, end))
        return [_value(request.name, sized.get(_key(ref))) for ref in subjects]

    def _sized(self, start: dt.datetime, end: dt.datetime) -> Sized:
        days = max(1, round((end - start) / dt.timedelta(days=1)))
        found = size_containers(
            self.warehouse,
            start,
            end,
            strategy_named(DEFAULT_STRATEGY),
            StrategyOptions(window_days=days),
            every_candidate=True,
        )
        by_workload: Sized = defaultdict(list)
        for container in found:
            by_workload[container.workload_key].append(container)
        return dict(by_workload)


def _key(ref: ResourceRef) -> WorkloadKey:
    return (ref.cluster or "", ref.namespace or "", ref.kind, ref.name)


def _value(name: str, containers: list[SizedContainer] | None) -> object:
    if not containers:
        return None
    if name == "cpu_reclaimable_cores":
        return sum((c.cpu_reclaimable for c in containers), Decimal(0))
    if name == "memory_reclaimable_bytes":
        return Decimal(sum(c.memory_reclaimable for c in containers))
    if name == "cpu_recommended_cores":
        cores = [c.cpu_recommended for c in containers]
        return None if None in cores else sum((c for c in cores if c is not None), Decimal(0))
    sizes = [c.memory_recommended for c in containers]
    return None if None in sizes else Decimal(sum(s for s in sizes if s is not None))
