"""Recommendations per workload container, with the money: what `costplane recommend
workloads` shows.

The monthly saving of a container is what its running pods request beyond the
recommendation, at the prices of its cluster (a core-hour, a GiB-hour), over a month
of 730 hours; where the recommendation is above the request it saves nothing on that
resource and the risk is named instead (`throttling` for CPU, `oom-kill` for memory).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from costplane.insight.rightsizing.inventory import inventory_workloads
from costplane.insight.rightsizing.odoo import (
    OdooWorkers,
    daily_requests_p95,
    odoo_sizing,
)
from costplane.insight.rightsizing.options import StrategyOptions
from costplane.insight.rightsizing.records import building_records
from costplane.insight.rightsizing.sizing import SizedContainer, size_containers
from costplane.insight.rightsizing.strategies import Strategy
from costplane.quantity import cpu_quantity, memory_quantity
from costplane.warehouse import Warehouse

HOURS_PER_MONTH = Decimal(730)
GIB = Decimal(2**30)
CENT = Decimal("0.01")

PriceOf = Callable[[str, str], Decimal | None]
"""(price name "cpu" or "memory", cluster) -> price per core-hour or GiB-hour."""


@dataclass(frozen=True)
class UsageWindow:
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class ContainerRecommendation:
    """One workload container: current requests, recommendation, evidence, money."""

    tenant: str | None
    namespace: str
    kind: str
    workload: str
    container: str
    cpu_request: str | None
    cpu_recommended: str | None
    memory_request: str | None
    memory_recommended: str | None
    samples: int
    monthly_saving: Decimal | None
    """None when a price or the recommendation is unknown."""
    risk: str | None
    """`throttling`, `oom-kill` (or both) where the recommendation is above the request."""
    cluster: str
    pods: int
    cpu_limit: str | None
    cpu_limit_recommended: str | None
    """Always None: KRR sets no CPU limit (throttling costs more than it saves)."""
    memory_limit: str | None
    memory_limit_recommended: str | None
    """The memory request: KRR's rule, so the pod is never killed below what it asked."""
    cpu_usage_cores: Decimal | None
    """Evidence: the strategy's CPU figure (the highest pod p95 for `simple`)."""
    cpu_max_cores: Decimal | None
    memory_peak_bytes: int | None
    hpa_target_cpu_utilisation: int | None
    odoo: OdooWorkers | None = None
    """For an Odoo web container: workers, their memory limits, the pod's size."""


@dataclass(frozen=True)
class WorkloadRecommendations:
    currency: str
    window: UsageWindow
    containers: tuple[ContainerRecommendation, ...]
    strategy: str
    options: StrategyOptions


def usage_end(warehouse: Warehouse) -> dt.datetime | None:
    """The hour after the newest usage sample (naive UTC); None without samples."""
    usage = warehouse.table("usage_samples")
    newest = usage.hour.max().to_pyarrow().as_py()
    return None if newest is None else newest + dt.timedelta(hours=1)


def recommend_containers(
    warehouse: Warehouse,
    strategy: Strategy,
    options: StrategyOptions,
    prices: PriceOf,
    currency: str,
    *,
    end: dt.datetime | None = None,
    tenant: str | None = None,
    namespace: str | None = None,
) -> WorkloadRecommendations:
    """Every workload container with usage in the `options.window_days` before `end`
    (default: the newest usage hour), optionally one tenant's or one namespace's."""
    with building_records():
        return _recommend(warehouse, strategy, options, prices, currency, end, tenant, namespace)


def _recommend(
    warehouse: Warehouse,
    strategy: Strategy,
    options: StrategyOptions,
    prices: PriceOf,
    currency: str,
    end: dt.datetime | None,
    tenant: str | None,
    namespace: str | None,
) -> WorkloadRecommendations:
    end = end or usage_end(warehouse) or dt.datetime(1970, 1, 1)
    start = end - dt.timedelta(days=options.window_days)
    workloads = inventory_workloads(warehouse, end)
    sized = size_containers(
        warehouse, start, end, strategy, options, known=workloads.known, hpa=workloads.hpa
    )
    odoo, cron = workloads.odoo, workloads.cron
    traffic = daily_requests_p95(warehouse, start, end) if odoo else {}
    priced = _PricesByCluster(prices)
    owners = workloads.tenants
    chosen = []
    for container in sized:
        place = (container.cluster, container.namespace)
        owner = owners.get(place)
        if tenant is not None and owner != tenant:
            continue
        if namespace is not None and container.namespace != namespace:
            continue
        workers = None
        cpu_recommended, memory_recommended = (
            container.cpu_recommended,
            container.memory_recommended,
        )
        if odoo and cpu_recommended is not None and memory_recommended is not None:
            config = odoo.get((*place, container.kind, container.workload, container.container))
            if config is not None:
                sizing = odoo_sizing(
                    config,
                    cpu_recommended,
                    memory_recommended,
                    traffic.get(place),
                    place in cron,
                )
                saving = _odoo_saving(container, sizing.memory, priced[container.cluster])
                workers = sizing.recommendation(saving)
        chosen.append(_recommendation(container, owner, priced, workers))
    return WorkloadRecommendations(
        currency, UsageWindow(start, end), tuple(chosen), strategy.name, options
    )


def monthly_saving(container: SizedContainer, prices: PriceOf) -> Decimal | None:
    """The running pods' requests beyond the recommendation, priced for a month."""
    if container.cpu_recommended is None and container.memory_recommended is None:
        return None
    cpu, memory = prices("cpu", container.cluster), prices("memory", container.cluster)
    if cpu is None or memory is None:
        return None
    hourly = container.cpu_reclaimable * cpu + Decimal(container.memory_reclaimable) / GIB * memory
    return hourly * HOURS_PER_MONTH


def _odoo_saving(
    container: SizedContainer, memory_recommended: int, price: tuple[Decimal, Decimal] | None
) -> Decimal | None:
    """The saving of the pod sized for its workers (memory may be above KRR's); the
    same as `monthly_saving` of the container with the workers' recommendation."""
    if price is None:
        return None
    cores, size = Decimal(0), 0
    if container.cpu_request is not None and container.cpu_recommended is not None:
        cores = container.pods * max(Decimal(0), container.cpu_request - container.cpu_recommended)
    if container.memory_request is not None:
        size = container.pods * max(0, container.memory_request - memory_recommended)
    return _monthly(cores, size, *price)


class _PricesByCluster(dict[str, tuple[Decimal, Decimal] | None]):
    """A cluster's (core-hour, GiB-hour) prices, asked of `prices` once per cluster."""

    def __init__(self, prices: PriceOf) -> None:
        super().__init__()
        self.prices = prices

    def __missing__(self, cluster: str) -> tuple[Decimal, Decimal] | None:
        cpu, memory = self.prices("cpu", cluster), self.prices("memory", cluster)
        found = None if cpu is None or memory is None else (cpu, memory)
        self[cluster] = found
        return found


def _recommendation(
    c: SizedContainer, tenant: str | None, prices: _PricesByCluster, odoo: OdooWorkers | None
) -> ContainerRecommendation:
    saving = None
    cpu_recommended, memory_recommended = c.cpu_recommended, c.memory_recommended
    if cpu_recommended is not None or memory_recommended is not None:
        price = prices[c.cluster]
        if price is not None:
            saving = _monthly(c.cpu_reclaimable, c.memory_reclaimable, *price)
    memory = _memory(memory_recommended)
    return ContainerRecommendation(
        tenant=tenant,
        namespace=c.namespace,
        kind=c.kind,
        workload=c.workload,
        container=c.container,
        cpu_request=_cpu(c.cpu_request),
        cpu_recommended=_cpu(cpu_recommended),
        memory_request=_memory(c.memory_request),
        memory_recommended=memory,
        samples=c.samples,
        monthly_saving=saving,
        risk=_RISKS[c.memory_short, c.cpu_short],
        cluster=c.cluster,
        pods=c.pods,
        cpu_limit=_cpu(c.cpu_limit),
        cpu_limit_recommended=None,
        memory_limit=_memory(c.memory_limit),
        memory_limit_recommended=memory,
        cpu_usage_cores=_evidence(c.cpu_usage),
        cpu_max_cores=_evidence(c.cpu_max),
        memory_peak_bytes=None if c.memory_peak is None else int(c.memory_peak),
        hpa_target_cpu_utilisation=c.hpa_target_cpu_percent,
        odoo=odoo,
    )


_RISKS = {
    (True, True): "oom-kill, throttling",
    (True, False): "oom-kill",
    (False, True): "throttling",
    (False, False): None,
}
"""The risk named by (memory short, CPU short)."""


def _monthly(cores: Decimal, size: int, cpu: Decimal, memory: Decimal) -> Decimal:
    """`monthly_saving` to the cent, from reclaimable cores and bytes and their prices."""
    if not cores and not size:
        return _ZERO_CENTS
    hourly = cores * cpu + Decimal(size) / GIB * memory
    return (hourly * HOURS_PER_MONTH).quantize(CENT, ROUND_HALF_UP)


_ZERO_CENTS = Decimal("0.00")
_MICROCORE = Decimal("0.000001")


_CPU: dict[Decimal, str | None] = {}
_MEMORY: dict[int, str | None] = {}
_REMEMBERED = 4096


def _cpu(cores: Decimal | None) -> str | None:
    """Remembered (a dict: `lru_cache` costs more than it saves here): a fleet's requests
    and recommendations take few distinct values."""
    if cores is None:
        return None
    found = _CPU.get(cores)
    if found is None and cores > 0:
        if len(_CPU) >= _REMEMBERED:
            _CPU.clear()
        found = _CPU[cores] = cpu_quantity(cores)
    return found


def _memory(size: int | None) -> str | None:
    if size is None:
        return None
    found = _MEMORY.get(size)
    if found is None and size > 0:
        if len(_MEMORY) >= _REMEMBERED:
            _MEMORY.clear()
        found = _MEMORY[size] = memory_quantity(size)
    return found


def _evidence(value: float | None) -> Decimal | None:
    """A measured figure for people, to a microcore (the exact float stays in the query)."""
    return None if value is None else Decimal(repr(value)).quantize(_MICROCORE)
