"""`collect_prometheus`: a window of a cluster's usage from Prometheus into warehouse loads.

Discovery lists what there is (no samples), and each pod's workload from the
owner series' index (workloads.py); the plan splits it into queries of
at most `max_points` points, a few threads send them (Prometheus evaluates
while Python decodes), and each batch's answers become rows as soon as the
batch is complete, so only one batch's points are in memory per thread.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from costplane.errors import ExecutionError, ServiceUnavailableError
from costplane.sources.collector import Collected
from costplane.sources.prometheus.client import PrometheusClient
from costplane.sources.prometheus.discovery import Discovery, discover
from costplane.sources.prometheus.plan import Batch, plan
from costplane.sources.prometheus.promql import (
    DEFAULT_LOG_BYTES,
    USAGE_FIELDS,
    USAGE_LABELS,
    Field,
    Selector,
    capacity_field,
    container_fields,
    log_field,
    traefik_field,
    volume_field,
)
from costplane.sources.prometheus.reading import Reading
from costplane.sources.prometheus.rows import (
    empty_service,
    empty_usage,
    owner_namespaces,
    service_table,
    usage_table,
)
from costplane.sources.prometheus.samples import Keys, Samples, matrix_samples
from costplane.sources.prometheus.target import PrometheusTarget
from costplane.sources.prometheus.window import HOUR, Window
from costplane.sources.prometheus.workloads import PodKey, Workload, pod_workloads
from costplane.warehouse import Load

SOURCE = "prometheus"
DEFAULT_MAX_POINTS = 100_000
CONCURRENCY = 4


@dataclass(frozen=True)
class PrometheusRequest:
    """What to collect: the window, the cluster it is loaded as, and how to split."""

    window: Window
    cluster: str
    max_points: int = DEFAULT_MAX_POINTS
    log_bytes: Selector = field(default_factory=lambda: Selector(DEFAULT_LOG_BYTES))
    selector: tuple[str, ...] = ()
    concurrency: int = CONCURRENCY


@dataclass
class Piece:
    """One batch's result: rows for a table, and what it counted."""

    usage: pa.Table | None = None
    service: pa.Table | None = None
    series: int = 0
    containers: int = 0
    capacity: dict[str, float] = field(default_factory=dict)
    nodes: int = 0


Job = Callable[[], Piece]


def collect_prometheus(target: PrometheusTarget, request: PrometheusRequest) -> Collected:
    """Read the window. Raises ServiceUnavailableError when the server cannot be read at all,
    ExecutionError when it has no container series in the window (nothing to load)."""
    window = request.window
    with PrometheusClient(target) as client:
        found = discover(client, window, request.selector, request.log_bytes)
        if not found.containers:
            raise ExecutionError(
                f"{client.what}: no container series from {window.start.isoformat()} to "
                f"{window.end.isoformat()}{_matching(request.selector)}; nothing was loaded "
                "(is this the cluster's Prometheus, with cAdvisor and kube-state-metrics?)"
            )
        owners = pod_workloads(
            client, window, [unit.value for unit in found.containers], request.selector
        )
        reading = Reading(client, window)
        jobs = _jobs(reading, request, found, owners)
        with ThreadPoolExecutor(max_workers=max(1, request.concurrency)) as pool:
            pieces = list(pool.map(lambda job: job(), jobs))
        if reading.stopped is not None and reading.succeeded == 0:
            raise ServiceUnavailableError(reading.stopped)
        missing = reading.missing()
    usage = _concat([p.usage for p in pieces if p.usage is not None], empty_usage())
    service = _concat([p.service for p in pieces if p.service is not None], empty_service())
    loads = [
        Load("usage_samples", SOURCE, request.cluster, window.start, window.end, usage),
        Load("service_usage", SOURCE, request.cluster, window.start, window.end, service),
    ]
    summary = _summary(target, request, found, reading, pieces, usage, service)
    return Collected(SOURCE, f"{request.cluster} at {target.shown}", loads, summary, missing)


def _jobs(
    reading: Reading,
    request: PrometheusRequest,
    found: Discovery,
    owners: Mapping[PodKey, Workload],
) -> list[Job]:
    window, points, extra = request.window, request.max_points, request.selector
    jobs: list[Job] = []
    fields = container_fields(extra)
    for batch in plan("namespace", found.containers, window.steps, points):
        jobs.append(_container_job(reading, request.cluster, fields, batch, owners))
    if found.traefik is not None:
        traefik = traefik_field(found.traefik, found.traefik_label)
        for batch in plan(found.traefik_label, found.traefik_units, window.steps, points):
            jobs.append(_traefik_job(reading, request.cluster, traefik, batch, found.namespaces))
    logs = log_field(request.log_bytes.where(*extra))
    for batch in plan("namespace", found.logs, window.steps, points):
        jobs.append(_log_job(reading, request.cluster, logs, batch))
    capacity = capacity_field(extra)
    for batch in plan("node", found.nodes, window.steps, points):
        jobs.append(_capacity_job(reading, capacity, batch))
    volumes = volume_field(extra)
    for batch in plan("namespace", found.volumes, window.steps, points):
        jobs.append(_volume_job(reading, request.cluster, volumes, batch))
    return jobs


def _read(
    reading: Reading, fields: Sequence[Field], batch: Batch, keys: Keys
) -> dict[str, Samples]:
    """Every field of a batch over all its chunks, keyed by `keys`."""
    out: dict[str, Samples] = {}
    for one in fields:
        parts = []
        for chunk in batch.chunks:
            result = reading.query(one, batch, chunk)
            if result is not None:
                parts.append(matrix_samples(result, keys, reading.window))
        out[one.name] = Samples.concat(parts)
    return out


def _container_job(
    reading: Reading,
    cluster: str,
    fields: Sequence[Field],
    batch: Batch,
    owners: Mapping[PodKey, Workload],
) -> Job:
    def job() -> Piece:
        containers, pods = Keys(USAGE_LABELS), Keys(USAGE_LABELS)
        samples = {
            **_read(reading, [f for f in fields if f.name in USAGE_FIELDS], batch, containers),
            **_read(reading, [f for f in fields if f.name not in USAGE_FIELDS], batch, pods),
        }
        table = usage_table(reading.window, cluster, containers, pods, samples, owners)
        return Piece(usage=table, series=len(containers) + len(pods), containers=len(containers))

    return job


def _traefik_job(
    reading: Reading, cluster: str, one: Field, batch: Batch, namespaces: list[str]
) -> Job:
    def job() -> Piece:
        keys = Keys(one.by)
        samples = _read(reading, [one], batch, keys)[one.name]
        names = keys.column(0)
        table = service_table(
            reading.window,
            cluster,
            samples=samples,
            resources=names,
            namespaces=owner_namespaces(names, namespaces),
            service="traefik",
            metric="requests",
        )
        return Piece(service=table, series=len(keys))

    return job


def _log_job(reading: Reading, cluster: str, one: Field, batch: Batch) -> Job:
    def job() -> Piece:
        keys = Keys(one.by)
        samples = _read(reading, [one], batch, keys)[one.name]
        names = keys.column(0)
        table = service_table(
            reading.window,
            cluster,
            samples=samples,
            resources=names,
            namespaces=names,
            service="logs",
            metric="ingested_bytes",
        )
        return Piece(service=table, series=len(keys))

    return job


def _volume_job(reading: Reading, cluster: str, one: Field, batch: Batch) -> Job:
    def job() -> Piece:
        keys = Keys(one.by)
        samples = _read(reading, [one], batch, keys)[one.name]
        table = service_table(
            reading.window,
            cluster,
            samples=samples,
            resources=keys.column(1),
            namespaces=keys.column(0),
            service="kubelet",
            metric="used_bytes",
            how="max",
        )
        return Piece(service=table, series=len(keys))

    return job


def _capacity_job(reading: Reading, one: Field, batch: Batch) -> Job:
    def job() -> Piece:
        keys = Keys(one.by)
        samples = _read(reading, [one], batch, keys)[one.name]
        if not len(keys):
            return Piece()
        resource = np.array(keys.column(1))[samples.key]
        hours = reading.window.step / HOUR
        capacity = {
            name: float(np.nansum(samples.value[resource == name]) * hours)
            for name in ("cpu", "memory")
        }
        return Piece(series=len(keys), capacity=capacity, nodes=len(set(keys.column(0))))

    return job


def _workloads(usage: pa.Table) -> int:
    """Distinct (namespace, kind, name) among the rows that have a workload."""
    keys = usage.select(["namespace", "workload_kind", "workload_name"]).drop_null()
    plain = keys.cast(pa.schema([(name, pa.string()) for name in keys.column_names]))
    return int(plain.group_by(plain.column_names).aggregate([]).num_rows)


def _matching(selector: tuple[str, ...]) -> str:
    return f" matching {{{', '.join(selector)}}}" if selector else ""


def _concat(tables: list[pa.Table], empty: pa.Table) -> pa.Table:
    return pa.concat_tables(tables) if tables else empty


def _summary(
    target: PrometheusTarget,
    request: PrometheusRequest,
    found: Discovery,
    reading: Reading,
    pieces: list[Piece],
    usage: pa.Table,
    service: pa.Table,
) -> dict[str, Any]:
    window = request.window

    def total(column: str) -> float:
        values = usage.column(column).to_numpy(zero_copy_only=False)
        return round(float(np.nansum(values)), 3)

    capacity: Mapping[str, float] = {
        name: sum(p.capacity.get(name, 0.0) for p in pieces) for name in ("cpu", "memory")
    }
    services = service.column("service").to_pylist()
    return {
        "url": target.shown,
        "cluster": request.cluster,
        "from": window.start,
        "to": window.end,
        "step_seconds": window.step,
        "namespaces": len(found.containers),
        "containers": sum(p.containers for p in pieces),
        "series": sum(p.series for p in pieces),
        "samples": reading.samples,
        "queries": reading.queries,
        "points_per_query_max": reading.points_max,
        "max_points": request.max_points,
        "usage_rows": usage.num_rows,
        "cpu_request_core_hours": total("cpu_request_cores"),
        "cpu_usage_core_hours": total("cpu_usage_cores"),
        "workloads": _workloads(usage),
        "usage_rows_without_workload": usage.column("workload_kind").null_count,
        "traefik_metric": found.traefik.metric if found.traefik is not None else None,
        "routers": len(found.traefik_units),
        "log_metric": request.log_bytes.metric,
        "log_namespaces": len(found.logs),
        "service_rows": service.num_rows,
        "traefik_rows": services.count("traefik"),
        "log_rows": services.count("logs"),
        "volume_claims": sum(unit.series for unit in found.volumes),
        "volume_rows": services.count("kubelet"),
        "nodes": sum(p.nodes for p in pieces),
        "node_cpu_core_hours": round(capacity["cpu"], 3),
        "node_memory_gib_hours": round(capacity["memory"] / 2**30, 3),
    }
