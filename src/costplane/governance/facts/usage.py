"""Facts from `usage_samples`: what each workload and namespace used and requested.

Workload facts follow KRR's simple strategy: a workload's samples are its pods'
hourly rows (a pod-hour sums the pod's containers), `cpu_p95_cores` is their 95th
percentile (linear interpolation, as `numpy.percentile` and SQL `percentile_cont`),
`memory_peak_bytes` their highest peak working set. Pods are matched to their
workload by name, as Kubernetes names them: `<deployment>-<hash>-<id>`,
`<statefulset>-<ordinal>`, `<daemonset>-<id>`, `<cronjob>-<schedule>-<id>`.

Namespace facts answer for the resource's namespace (a Namespace's own): the
hours it had usage rows in the window, and its busiest hour's CPU use as a share
of its CPU requests. In a cluster with usage data, a resource without rows has
0 hours and 0 requested core-hours, and unknown percentiles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import bounds, exact, namespace_of
from costplane.governance.inventory.resources import ResourceRef

GIB = Decimal(2**30)
HOUR = dt.timedelta(hours=1)

POD_NAMES: dict[str, str] = {
    "Deployment": r"^(.+)-[a-z0-9]{1,10}-[a-z0-9]{5}$",
    "StatefulSet": r"^(.+)-[0-9]+$",
    "DaemonSet": r"^(.+)-[a-z0-9]{5}$",
    "CronJob": r"^(.+)-[0-9]{6,}-[a-z0-9]{5}$",
}
"""How a pod's name gives its workload's, per workload kind."""


WORKLOAD_FACTS = frozenset({"cpu_p95_cores", "cpu_max_cores", "memory_peak_bytes", "usage_samples"})
NAMESPACE_FACTS = frozenset({"namespace_usage_hours", "namespace_cpu_peak_percent"})
REQUESTED_FACTS = frozenset({"requested_core_hours", "requested_gib_hours"})

Key = tuple[Any, ...]
Stats = dict[Key, dict[str, Any]]


class UsageFacts(WarehouseProvider):
    """Usage facts for workloads and namespaces, one query per kind of fact and window."""

    FACTS = (
        FactDefinition(
            "cpu_p95_cores",
            FactType.QUANTITY,
            "95th percentile (linear) of the workload's hourly CPU use, pooled over its pods",
            windowed=True,
        ),
        FactDefinition(
            "cpu_max_cores",
            FactType.QUANTITY,
            "highest hourly CPU use of the workload",
            windowed=True,
        ),
        FactDefinition(
            "memory_peak_bytes",
            FactType.BYTES,
            "highest hourly peak working-set memory of the workload",
            windowed=True,
        ),
        FactDefinition(
            "usage_samples",
            FactType.NUMBER,
            "hourly usage samples of the workload's containers in the window",
            windowed=True,
        ),
        FactDefinition(
            "namespace_usage_hours",
            FactType.NUMBER,
            "hours in the window in which the resource's namespace has usage rows",
            windowed=True,
        ),
        FactDefinition(
            "namespace_cpu_peak_percent",
            FactType.PERCENT,
            "the namespace's busiest hour in the window: summed CPU use as a percentage of "
            "summed CPU requests (hours without rows do not count)",
            windowed=True,
        ),
        FactDefinition(
            "requested_core_hours",
            FactType.NUMBER,
            "core-hours of CPU requested in the window by the namespace, or by the workload",
            windowed=True,
        ),
        FactDefinition(
            "requested_gib_hours",
            FactType.NUMBER,
            "GiB-hours of memory requested in the window by the namespace, or by the workload",
            windowed=True,
        ),
        FactDefinition(
            "history_hours",
            FactType.NUMBER,
            "hours of the window the warehouse has usage history for in the resource's cluster "
            "(the window, clipped to the first sample): what averages divide by",
            windowed=True,
        ),
    )

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        start, end = bounds(request)
        assert start is not None, "usage facts are windowed"
        name = request.name
        if name == "history_hours":
            first = self.cache.get("first", self._first_hours)
            return [_history(first.get(ref.cluster or ""), start, end) for ref in subjects]
        clusters = self.cache.get(("clusters", start, end), lambda: self._clusters(start, end))
        if name in NAMESPACE_FACTS:
            stats = self.cache.get(("ns", start, end), lambda: self._namespaces(start, end))
            return [_namespace_value(name, ref, stats, clusters) for ref in subjects]
        if name in WORKLOAD_FACTS:
            workloads = self.cache.get(("wl", start, end), lambda: self._workloads(start, end))
            return [_workload_value(name, ref, workloads, clusters) for ref in subjects]
        kinds = {ref.kind for ref in subjects}
        workloads = (
            self.cache.get(("wl", start, end), lambda: self._workloads(start, end))
            if kinds & set(POD_NAMES)
            else {}
        )
        namespaces = (
            self.cache.get(("ns", start, end), lambda: self._namespaces(start, end))
            if "Namespace" in kinds
            else {}
        )
        return [_requested(name, ref, workloads, namespaces, clusters) for ref in subjects]

    def _window(self, start: dt.datetime, end: dt.datetime) -> ir.Table:
        usage = self.warehouse.table("usage_samples")
        return usage.filter((usage.hour >= start) & (usage.hour < end))

    def _clusters(self, start: dt.datetime, end: dt.datetime) -> set[str]:
        rows = self._window(start, end).select("cluster").distinct().to_pyarrow()
        return {c for c in rows.column("cluster").to_pylist() if c is not None}

    def _first_hours(self) -> dict[str, dt.datetime]:
        usage = self.warehouse.table("usage_samples")
        rows = usage.group_by("cluster").aggregate(first=usage.hour.min()).to_pyarrow()
        return dict(
            zip(rows.column("cluster").to_pylist(), rows.column("first").to_pylist(), strict=True)
        )

    def _workloads(self, start: dt.datetime, end: dt.datetime) -> Stats:
        usage = self._window(start, end)
        pod_hours = usage.group_by(["cluster", "namespace", "pod", "hour"]).aggregate(
            cpu=usage.cpu_usage_cores.sum(),
            memory=usage.memory_peak_bytes.sum(),
            cpu_request=usage.cpu_request_cores.sum(),
            memory_request=usage.memory_request_bytes.sum(),
        )
        pods = usage.select("cluster", "namespace", "pod").distinct()
        candidates = ibis.union(
            *(
                pods.mutate(kind=ibis.literal(kind), workload=pods.pod.re_extract(pattern, 1))
                for kind, pattern in POD_NAMES.items()
            )
        )
        candidates = candidates.filter(candidates.workload.notnull() & (candidates.workload != ""))
        joined = pod_hours.join(candidates, ["cluster", "namespace", "pod"])
        stats = joined.group_by(["cluster", "namespace", "kind", "workload"]).aggregate(
            cpu_p95_cores=joined.cpu.quantile(0.95),
            cpu_max_cores=joined.cpu.max(),
            memory_peak_bytes=joined.memory.max(),
            usage_samples=joined.count(),
            core_hours=joined.cpu_request.sum(),
            byte_hours=joined.memory_request.sum(),
        )
        return _keyed(stats, ("cluster", "namespace", "kind", "workload"))

    def _namespaces(self, start: dt.datetime, end: dt.datetime) -> Stats:
        usage = self._window(start, end)
        hours = usage.group_by(["cluster", "namespace", "hour"]).aggregate(
            cpu=usage.cpu_usage_cores.sum(),
            request=usage.cpu_request_cores.sum(),
            memory_request=usage.memory_request_bytes.sum(),
        )
        percent = ibis.cases(
            (hours.request > 0, hours.cpu * 100 / hours.request),
            (hours.cpu > 0, ibis.literal(100.0)),
            else_=ibis.literal(0.0),
        )
        hours = hours.mutate(percent=percent)
        stats = hours.group_by(["cluster", "namespace"]).aggregate(
            usage_hours=hours.count(),
            cpu_peak_percent=hours.percent.max(),
            core_hours=hours.request.sum(),
            byte_hours=hours.memory_request.sum(),
        )
        return _keyed(stats, ("cluster", "namespace"))


def _keyed(stats: ir.Table, key: tuple[str, ...]) -> Stats:
    rows = stats.to_pyarrow().to_pylist()
    return {tuple(row[k] for k in key): row for row in rows}


def _history(first: dt.datetime | None, start: dt.datetime, end: dt.datetime) -> Decimal | None:
    if first is None:
        return None
    begin = max(first, start)
    return Decimal(max(0, int((end - begin) / dt.timedelta(seconds=1)))) / 3600


def _namespace_value(name: str, ref: ResourceRef, stats: Stats, clusters: set[str]) -> object:
    namespace = namespace_of(ref)
    row = stats.get((ref.cluster, namespace))
    if name == "namespace_usage_hours":
        if row is None:
            return Decimal(0) if ref.cluster in clusters and namespace else None
        return Decimal(row["usage_hours"])
    return exact(row["cpu_peak_percent"]) if row is not None else None


def _workload_value(name: str, ref: ResourceRef, stats: Stats, clusters: set[str]) -> object:
    row = stats.get((ref.cluster, ref.namespace, ref.kind, ref.name))
    if row is None:
        known = ref.cluster in clusters and ref.kind in POD_NAMES
        return Decimal(0) if name == "usage_samples" and known else None
    return exact(row[name])


def _requested(
    name: str, ref: ResourceRef, workloads: Stats, namespaces: Stats, clusters: set[str]
) -> object:
    if ref.kind == "Namespace":
        row = namespaces.get((ref.cluster, ref.name))
    elif ref.kind in POD_NAMES:
        row = workloads.get((ref.cluster, ref.namespace, ref.kind, ref.name))
    else:
        return None
    if row is None:
        return Decimal(0) if ref.cluster in clusters else None
    if name == "requested_core_hours":
        return exact(row["core_hours"])
    byte_hours = exact(row["byte_hours"])
    return byte_hours / GIB if byte_hours is not None else None
