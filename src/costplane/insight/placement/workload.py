"""A tenant's workload profile from `usage_samples`: how much of its cluster it takes when
the cluster is busiest, and how its production use compares with its class's quota.

- peak share: the cluster's peak hour is the hour of the month with the most CPU in
  use over all its namespaces (platform ones too; the earliest on a tie); the tenant's
  share is the CPU its namespaces (every environment) used in that hour over that
  total. A tenant that is a large part of its cluster at the busiest hour is the one
  that makes the others wait.
- p95: per hour, the CPU cores and memory bytes its production namespaces used
  (summed over containers); the 95th percentile (linear interpolation) over the hours
  they reported. Compared with the class's production quota by the scoring.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from costplane.allocation import Window
from costplane.catalog import Catalog, EnvironmentKind
from costplane.insight.placement.window_bounds import bounds
from costplane.warehouse import Warehouse


@dataclass(frozen=True)
class Workload:
    cluster: str | None
    """Where its production namespaces reported the most (namespace, hour) samples (the
    first by name on a tie); None when they reported nothing."""
    peak_hour: dt.datetime | None
    """The hour that cluster used the most CPU."""
    peak_share: float
    """Its share (0 to 1) of that cluster's CPU use in that hour."""
    p95_cpu_cores: float
    p95_memory_bytes: float
    hours: int
    """Hours its production namespaces reported."""


NO_WORKLOAD = Workload(None, None, 0.0, 0.0, 0.0, 0)


def workloads(warehouse: Warehouse, catalog: Catalog, window: Window) -> dict[str, Workload]:
    """Each catalog tenant's workload in the window (`NO_WORKLOAD` when it reported none)."""
    start, end = bounds(window)
    usage = warehouse.table("usage_samples")
    hourly = (
        usage.filter((usage.hour >= start) & (usage.hour < end))
        .group_by(["cluster", "namespace", "hour"])
        .aggregate(cpu=usage.cpu_usage_cores.sum(), memory=usage.memory_usage_bytes.sum())
    ).to_pyarrow()
    tenants = [tenant.id for tenant in catalog.tenants]
    if hourly.num_rows == 0 or not tenants:
        return dict.fromkeys(tenants, NO_WORKLOAD)
    owner: dict[str, tuple[int, bool]] = {}
    for index, declared in enumerate(catalog.tenants):
        for kind, environment in declared.environments.items():
            for namespace in environment.namespaces:
                owner[namespace] = (index, kind is EnvironmentKind.PRODUCTION)
    cluster_names, cluster = np.unique(_values(hourly, "cluster"), return_inverse=True)
    hour_values, hour = np.unique(hourly["hour"].to_numpy(), return_inverse=True)
    namespace_names, namespace_of = np.unique(_values(hourly, "namespace"), return_inverse=True)
    cpu = _floats(hourly, "cpu")
    memory = _floats(hourly, "memory")
    n_clusters, n_hours, n_tenants = len(cluster_names), len(hour_values), len(tenants)
    owned = [owner.get(str(name), (-1, False)) for name in namespace_names]
    owner_of = np.array([index for index, _ in owned])[namespace_of]
    production = np.array([is_production for _, is_production in owned])[namespace_of]

    # Each cluster's peak hour (the earliest, on a tie) and each tenant's CPU in it
    totals = np.bincount(cluster * n_hours + hour, cpu, n_clusters * n_hours)
    peak = totals.reshape(n_clusters, n_hours).argmax(axis=1)
    peak_total = totals.reshape(n_clusters, n_hours)[np.arange(n_clusters), peak]
    at_peak = (hour == peak[cluster]) & (owner_of >= 0)
    peak_cpu = np.bincount(
        owner_of[at_peak] * n_clusters + cluster[at_peak], cpu[at_peak], n_tenants * n_clusters
    ).reshape(n_tenants, n_clusters)

    # Production use per tenant and hour, and where production ran
    mine = production & (owner_of >= 0)
    key = owner_of[mine] * n_hours + hour[mine]
    size = n_tenants * n_hours
    reported = np.bincount(key, minlength=size).reshape(n_tenants, n_hours) > 0
    cpu_by_hour = np.bincount(key, cpu[mine], size).reshape(n_tenants, n_hours)
    memory_by_hour = np.bincount(key, memory[mine], size).reshape(n_tenants, n_hours)
    samples = np.bincount(
        owner_of[mine] * n_clusters + cluster[mine], minlength=n_tenants * n_clusters
    ).reshape(n_tenants, n_clusters)

    found = {}
    for index, tenant_id in enumerate(tenants):
        hours = reported[index]
        if not hours.any():
            found[tenant_id] = NO_WORKLOAD
            continue
        where = int(samples[index].argmax())
        total = float(peak_total[where])
        found[tenant_id] = Workload(
            cluster=str(cluster_names[where]),
            peak_hour=_hour(hour_values[peak[where]]),
            peak_share=float(peak_cpu[index, where]) / total if total > 0 else 0.0,
            p95_cpu_cores=float(np.percentile(cpu_by_hour[index][hours], 95)),
            p95_memory_bytes=float(np.percentile(memory_by_hour[index][hours], 95)),
            hours=int(hours.sum()),
        )
    return found


def _values(table: pa.Table, column: str) -> np.ndarray:
    values: np.ndarray = np.array(table[column].fill_null("").to_pylist(), dtype=object)
    return values


def _floats(table: pa.Table, column: str) -> np.ndarray:
    values: np.ndarray = np.nan_to_num(
        np.asarray(table[column].fill_null(0.0).to_numpy(), dtype=np.float64)
    )
    return values


def _hour(value: np.datetime64) -> dt.datetime:
    return dt.datetime.fromisoformat(str(np.datetime_as_string(value, unit="s")))
