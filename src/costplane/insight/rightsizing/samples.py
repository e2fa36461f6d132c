"""The queries: each pod container's evidence over the window, and pooled percentiles.

One group-by over `usage_samples` per run, by (cluster, namespace, pod, container): the
number of hourly samples, the CPU percentile (linear interpolation: DuckDB's
`quantile_cont`, PostgreSQL's `percentile_cont`, numpy's and Prometheus's default), the
highest `cpu_usage_max_cores` and `memory_peak_bytes`, the pod's requests and limits
(fixed for a pod's life) and its last hour. A pooling strategy adds one group-by of
the same rows by workload container.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

import ibis
import pyarrow as pa

from costplane.warehouse import Warehouse

ContainerKey = tuple[str, str, str, str, str]
"""(cluster, namespace, kind, workload, container)."""


class PodUsage(NamedTuple):
    """One pod container's samples in the window, aggregated (a named tuple: one is made
    per pod container of the fleet, tens of thousands)."""

    cluster: str
    namespace: str
    pod: str
    container: str
    samples: int
    cpu: float | None
    """The chosen percentile of its hourly CPU use (cores)."""
    cpu_max: float | None
    memory_peak: float | None
    cpu_request: float | None
    cpu_limit: float | None
    memory_request: int | None
    memory_limit: int | None
    last: dt.datetime


def _rows(warehouse: Warehouse, start: dt.datetime, end: dt.datetime) -> ibis.Table:
    usage = warehouse.table("usage_samples")
    return usage.filter((usage.hour >= start) & (usage.hour < end))


def pod_usage(
    warehouse: Warehouse, start: dt.datetime, end: dt.datetime, percentile: float
) -> list[PodUsage]:
    """Every pod container with samples in [start, end)."""
    rows = _rows(warehouse, start, end)
    stats = rows.group_by(["cluster", "namespace", "pod", "container"]).aggregate(
        samples=rows.count(),
        cpu=rows.cpu_usage_cores.quantile(percentile / 100),
        cpu_max=rows.cpu_usage_max_cores.max(),
        memory_peak=rows.memory_peak_bytes.max(),
        cpu_request=rows.cpu_request_cores.max(),
        cpu_limit=rows.cpu_limit_cores.max(),
        memory_request=rows.memory_request_bytes.max(),
        memory_limit=rows.memory_limit_bytes.max(),
        last=rows.hour.max(),
    )
    table = stats.to_pyarrow()
    columns = [table.column(name).to_pylist() for name in PodUsage._fields]
    return [PodUsage._make(row) for row in zip(*columns, strict=True) if row[2] and row[3]]


def pooled_cpu(
    warehouse: Warehouse,
    start: dt.datetime,
    end: dt.datetime,
    percentile: float,
    owners: Iterable[tuple[str, str, str, str, str]],
) -> dict[ContainerKey, float]:
    """The percentile of all samples of each workload container; `owners` gives each pod's
    workload as (cluster, namespace, pod, kind, workload)."""
    listed = list(owners)
    if not listed:
        return {}
    names = ["cluster", "namespace", "pod", "kind", "workload"]
    mapping = ibis.memtable(pa.table(dict(zip(names, zip(*listed, strict=True), strict=True))))
    rows = _rows(warehouse, start, end)
    joined = rows.join(mapping, ["cluster", "namespace", "pod"])
    stats = joined.group_by(["cluster", "namespace", "kind", "workload", "container"]).aggregate(
        cpu=joined.cpu_usage_cores.quantile(percentile / 100)
    )
    return {
        (r["cluster"], r["namespace"], r["kind"], r["workload"], r["container"]): r["cpu"]
        for r in stats.to_pyarrow().to_pylist()
        if r["cpu"] is not None
    }
