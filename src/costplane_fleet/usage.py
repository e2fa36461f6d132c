"""Hourly container samples (table usage_samples), generated vectorised with numpy.

Each pod replica's container is one series over the window's hours. Demand is
a behaviour curve (web follows the tenant's orders and working day, cron its
night jobs, queue its EDI windows, non-production its developers) times
lognormal noise. Each series is then scaled so its KRR recommendation lands on
the workload's planned fill: the p95 of hourly CPU over the last 14 days is
`cpu_fill` x request, and the max memory peak x 1.15 is `memory_fill` x
request. Hours in which a sleeping namespace is asleep have no rows, and every
wake-up starts new pods (new names, counters from zero), as kube-green does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from costplane.catalog import EnvironmentKind
from costplane.warehouse import FACT_TABLES
from costplane_fleet.calendar import awake_hours, local_grid
from costplane_fleet.clusters import PodSlot, pod_name
from costplane_fleet.offering import SERVICE_CLASSES
from costplane_fleet.planted import KRR_DAYS
from costplane_fleet.signals import nightly
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import TenantProfile
from costplane_fleet.workloads import Container, Namespace

KRR_MEMORY_MARGIN = 1.15
CHUNK = 2048
(WEB, CRON, QUEUE, NONPROD, DR, PLATFORM, MIGRATION, IDLE) = range(8)


@dataclass(frozen=True)
class UsageSamples:
    """The usage table plus what OpenMetrics needs beside it."""

    table: pa.Table
    """usage_samples columns, strings dictionary-encoded; series-major, then hour."""
    cpu_millis_total: np.ndarray
    """Per row: cAdvisor's counter at the end of its hour, in core-milliseconds (int64)."""
    hour_index: np.ndarray
    """Per row: its hour of the window (0 = the first)."""
    pod_labels: list[str]
    """Per pod index: the label set (without braces) of its container series."""
    pod_names: list[str]
    """Per pod index: the pod's name (a pod index is one container of one pod)."""
    pod_index: np.ndarray
    """Per row: its pod index."""
    pod_series: np.ndarray
    """Per pod index: its series (slot and container) index."""
    series_resources: np.ndarray
    """Per series: cpu request and limit (millicores), memory request and limit (bytes)."""
    series_slots: list[tuple[PodSlot, Container]]
    """Per series: the pod slot and the container it is of."""
    namespace_awake: dict[tuple[str, str], np.ndarray]
    """Per (cluster, namespace): True in hours its pods run."""


def _behaviour(ns: Namespace, role: str) -> int:
    if ns.idle:
        return IDLE
    if ns.shared:
        return PLATFORM
    if role == "migration":
        return MIGRATION
    if ns.environment is EnvironmentKind.DR:
        return DR
    if ns.environment is not EnvironmentKind.PRODUCTION:
        return NONPROD
    return {"web": WEB, "cron": CRON, "queue": QUEUE}[role]


def namespace_awake(ns: Namespace, spec: FleetSpec) -> np.ndarray:
    if ns.sleeps and ns.tenant is not None:
        schedule = SERVICE_CLASSES[ns.tenant.service_class].sleep_schedule
        assert schedule is not None
        return awake_hours(schedule, spec.start_at, spec.hours)
    return np.ones(spec.hours, dtype=bool)


def _rolling_mean(x: np.ndarray, width: int) -> np.ndarray:
    c = np.cumsum(x, axis=1)
    out = c.copy()
    out[:, width:] = c[:, width:] - c[:, :-width]
    counts = np.minimum(np.arange(1, x.shape[1] + 1), width)
    return out / counts


def _p95_masked(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """numpy's linear p95 per row over the masked entries (nan for empty rows)."""
    n = mask.sum(axis=1)
    s = np.sort(np.where(mask, values, np.inf), axis=1)
    pos = 0.95 * np.maximum(n - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(n - 1, 0))
    v_lo = np.take_along_axis(s, lo[:, None], axis=1)[:, 0]
    v_hi = np.take_along_axis(s, hi[:, None], axis=1)[:, 0]
    out = v_lo + (v_hi - v_lo) * (pos - lo)
    return np.where(n > 0, out, np.nan)


def generate_usage(
    namespaces: list[Namespace],
    slots: list[PodSlot],
    tenants: tuple[TenantProfile, ...],
    activity: np.ndarray,
    edi: np.ndarray,
    spec: FleetSpec,
) -> UsageSamples:
    by_key = {(ns.cluster, ns.name): ns for ns in namespaces}
    tenant_row = {t.id: i for i, t in enumerate(tenants)}
    awake = {(ns.cluster, ns.name): namespace_awake(ns, spec) for ns in namespaces}
    fleet_curve = activity.mean(axis=0) if len(tenants) else np.ones(spec.hours)
    n_hours = spec.hours
    win = min(n_hours, KRR_DAYS * 24)

    # one series per (slot, container)
    series = [(s, c) for s in slots for c in s.workload.containers]
    n_series = len(series)
    ns_of = [by_key[(s.node.cluster, s.workload.namespace)] for s, _ in series]
    behaviour = np.array(
        [_behaviour(ns, s.workload.role) for (s, _), ns in zip(series, ns_of, strict=True)]
    )
    trow = np.array([tenant_row[ns.tenant.id] if ns.tenant else -1 for ns in ns_of])
    cpu_req = np.array([c.cpu_request_m / 1000 for _, c in series])
    cpu_lim = np.array([c.cpu_limit_m / 1000 for _, c in series])
    mem_req = np.array([c.memory_request for _, c in series], dtype=np.int64)
    natural_mem = np.array(
        [
            s.workload.natural_memory[s.workload.containers.index(c)]
            if s.workload.natural_memory
            else c.memory_request
            for s, c in series
        ],
        dtype=np.int64,
    )
    mem_lim = np.array([c.memory_limit for _, c in series], dtype=np.int64)
    natural = np.array(
        [s.workload.natural_cpu_m[s.workload.containers.index(c)] / 1000 for s, c in series]
    )
    cpu_fill = np.array([s.workload.cpu_fill for s, _ in series])
    mem_fill = np.array([s.workload.memory_fill for s, _ in series])
    zones = [ns.tenant.time_zone if ns.tenant else "Europe/Berlin" for ns in ns_of]
    zone_names = sorted(set(zones))
    zone_idx = np.array([zone_names.index(z) for z in zones])
    night = np.stack([nightly(local_grid(spec.start_at, n_hours, z).hour) for z in zone_names])
    office = np.stack(
        [
            (
                (local_grid(spec.start_at, n_hours, z).hour >= 8)
                & (local_grid(spec.start_at, n_hours, z).hour < 18)
                & (local_grid(spec.start_at, n_hours, z).weekday < 5)
            ).astype(np.float64)
            for z in zone_names
        ]
    )
    mask_names = sorted({ns.name for ns in ns_of})
    sleeping = np.array([ns.sleeps for ns in ns_of])

    # pods: stable ones get one name; sleepers a new pod at each wake-up
    hour_us = (spec.start_epoch + np.arange(n_hours, dtype=np.int64) * 3600) * 1_000_000
    noise_rng = rng(spec.seed, "usage", "noise")
    shape_rng = rng(spec.seed, "usage", "shape")

    pod_labels: list[str] = []
    pod_names: list[str] = []
    pod_series: list[int] = []
    # rows are series-major, then hour: each series has one row per awake hour
    rows_of = np.array([int(awake[(ns.cluster, ns.name)].sum()) for ns in ns_of], dtype=np.int64)
    first_row = np.concatenate([[0], np.cumsum(rows_of)])
    n_rows = int(first_row[-1])
    row_series = np.repeat(np.arange(n_series, dtype=np.int32), rows_of)
    row_pod = np.empty(n_rows, dtype=np.int32)
    row_hour = np.empty(n_rows, dtype=np.int16 if n_hours < 2**15 else np.int32)
    out = {k: np.empty(n_rows) for k in ("cpu", "cpu_max", "mem", "mem_peak")}
    cpu_millis = np.empty(n_rows, dtype=np.int64)
    for lo in range(0, n_series, CHUNK):
        hi = min(n_series, lo + CHUNK)
        n = hi - lo
        b = behaviour[lo:hi]
        act = np.where(
            trow[lo:hi, None] >= 0, activity[np.maximum(trow[lo:hi], 0)], fleet_curve[None, :]
        )
        edi_now = np.where(trow[lo:hi, None] >= 0, edi[np.maximum(trow[lo:hi], 0)], 0.0)
        night_c = night[zone_idx[lo:hi]]
        office_c = office[zone_idx[lo:hi]]
        dev = (
            office_c
            * (shape_rng.random((n, n_hours)) < 0.45)
            * shape_rng.uniform(0.3, 1.6, (n, n_hours))
        )
        bb = b[:, None]
        drv = np.select(
            [
                bb == WEB,
                bb == CRON,
                bb == QUEUE,
                bb == NONPROD,
                bb == DR,
                bb == PLATFORM,
                bb == MIGRATION,
            ],
            [
                0.12 + act[:, :],
                0.35 + 0.9 * night_c + 0.25 * act,
                0.15 + 3.0 * edi_now + 0.25 * act,
                0.25 + dev,
                0.35 + 0.05 * act,
                0.6 + 0.4 * fleet_curve[None, :],
                0.3 + 1.2 * (shape_rng.random((n, n_hours)) < 0.2),
            ],
            default=np.ones((n, n_hours)),
        )
        raw = drv * noise_rng.lognormal(0.0, 0.22, (n, n_hours))
        mask = np.stack([awake[(ns_of[i].cluster, ns_of[i].name)] for i in range(lo, hi)])
        mwin = mask[:, n_hours - win :]
        p95 = _p95_masked(raw[:, n_hours - win :], mwin)
        scale = np.where(
            np.isfinite(p95) & (p95 > 0),
            cpu_fill[lo:hi] * natural[lo:hi] / np.where(np.isfinite(p95) & (p95 > 0), p95, 1.0),
            1.0,
        )
        cpu = raw * scale[:, None]
        idle = b == IDLE
        if idle.any():
            cpu[idle] = cpu_req[lo:hi][idle, None] * noise_rng.uniform(
                0.003, 0.012, (int(idle.sum()), n_hours)
            )
        cpu = np.minimum(cpu, cpu_lim[lo:hi, None])
        cpu_max = np.minimum(cpu * noise_rng.uniform(1.15, 2.0, (n, n_hours)), cpu_lim[lo:hi, None])
        mraw = (0.55 + 0.45 * _rolling_mean(drv, 4)) * noise_rng.lognormal(0.0, 0.03, (n, n_hours))
        peak_raw = mraw * noise_rng.uniform(1.02, 1.10, (n, n_hours))
        mmax = np.max(np.where(mwin, peak_raw[:, n_hours - win :], -np.inf), axis=1)
        target = mem_fill[lo:hi] * natural_mem[lo:hi] / KRR_MEMORY_MARGIN
        target = np.where(idle, target * 0.55, target)
        mscale = np.where(
            np.isfinite(mmax) & (mmax > 0),
            target / np.where(np.isfinite(mmax) & (mmax > 0), mmax, 1.0),
            target,
        )
        peak = np.minimum(peak_raw * mscale[:, None], 0.95 * mem_lim[lo:hi, None])
        mem = peak * noise_rng.uniform(0.86, 0.97, (n, n_hours))

        # pods and counters
        prev = np.zeros_like(mask)
        prev[:, 1:] = mask[:, :-1]
        starts = mask & ~prev
        seg = np.cumsum(starts, axis=1)
        x = np.where(mask, cpu * 3600.0, 0.0)
        cum = np.cumsum(x, axis=1)
        start_pos = np.where(starts, np.arange(n_hours)[None, :], 0)
        start_pos = np.maximum.accumulate(start_pos, axis=1)
        base = np.take_along_axis(cum - x, start_pos, axis=1)
        offset = np.where(
            sleeping[lo:hi], 0.0, cpu_req[lo:hi] * 3600 * shape_rng.uniform(24, 960, n)
        )
        total = cum - base + offset[:, None]

        seg_count = starts.sum(axis=1)
        pod_base = len(pod_labels) + np.concatenate([[0], np.cumsum(seg_count)[:-1]])
        for k in range(n):
            slot, container = series[lo + k]
            ns = ns_of[lo + k]
            hours = np.flatnonzero(starts[k])
            for h in hours:
                gen: object = "stable" if not ns.sleeps else int(h)
                name = pod_name(slot, gen)
                pod_series.append(lo + k)
                pod_names.append(name)
                pod_labels.append(
                    f'cluster="{ns.cluster}",namespace="{ns.name}",pod="{name}",'
                    f'container="{container.name}",node="{slot.node.name}"'
                )
        r_idx, h_idx = np.nonzero(mask)
        rows = slice(int(first_row[lo]), int(first_row[hi]))
        row_pod[rows] = pod_base[r_idx] + seg[r_idx, h_idx] - 1
        row_hour[rows] = h_idx
        out["cpu"][rows] = cpu[r_idx, h_idx]
        out["cpu_max"][rows] = np.maximum(cpu_max[r_idx, h_idx], cpu[r_idx, h_idx])
        out["mem"][rows] = mem[r_idx, h_idx]
        out["mem_peak"][rows] = np.maximum(peak[r_idx, h_idx], mem[r_idx, h_idx])
        cpu_millis[rows] = np.rint(total[r_idx, h_idx] * 1000)
        del (
            raw,
            drv,
            cpu,
            cpu_max,
            mraw,
            peak_raw,
            peak,
            mem,
            x,
            cum,
            base,
            total,
            act,
            edi_now,
            dev,
        )

    def dictionary(values: list[str], per_series: list[int]) -> pa.DictionaryArray:
        codes = np.array(per_series, dtype=np.int32)
        return pa.DictionaryArray.from_arrays(pa.array(codes[row_series]), pa.array(values))

    clusters = sorted({ns.cluster for ns in ns_of})
    nodes = sorted({s.node.name for s, _ in series})
    containers = sorted({c.name for _, c in series})
    node_code = {name: k for k, name in enumerate(nodes)}
    name_code = {name: k for k, name in enumerate(mask_names)}
    # the containers of one pod are separate series with the same pod name: the column's
    # dictionary lists each name once (Parquet writes duplicated dictionaries densely)
    unique_pods: dict[str, int] = {}
    pod_code = np.array(
        [unique_pods.setdefault(name, len(unique_pods)) for name in pod_names], dtype=np.int32
    )
    kinds = sorted({s.workload.kind for s, _ in series})
    workload_names = sorted({s.workload.name for s, _ in series})
    kind_code = {kind: k for k, kind in enumerate(kinds)}
    workload_code = {name: k for k, name in enumerate(workload_names)}
    table = pa.table(
        {
            "hour": pa.array(hour_us[row_hour], pa.timestamp("us")),
            "cluster": dictionary(clusters, [clusters.index(ns.cluster) for ns in ns_of]),
            "node": dictionary(nodes, [node_code[s.node.name] for s, _ in series]),
            "namespace": dictionary(mask_names, [name_code[ns.name] for ns in ns_of]),
            "pod": pa.DictionaryArray.from_arrays(
                pa.array(pod_code[row_pod]), pa.array(list(unique_pods), pa.string())
            ),
            "container": dictionary(containers, [containers.index(c.name) for _, c in series]),
            "cpu_request_cores": pa.array(cpu_req[row_series]),
            "cpu_limit_cores": pa.array(cpu_lim[row_series]),
            "cpu_usage_cores": pa.array(out["cpu"]),
            "cpu_usage_max_cores": pa.array(out["cpu_max"]),
            "memory_request_bytes": pa.array(mem_req[row_series]),
            "memory_limit_bytes": pa.array(mem_lim[row_series]),
            "memory_usage_bytes": pa.array(out["mem"]),
            "memory_peak_bytes": pa.array(out["mem_peak"]),
            "workload_kind": dictionary(kinds, [kind_code[s.workload.kind] for s, _ in series]),
            "workload_name": dictionary(
                workload_names, [workload_code[s.workload.name] for s, _ in series]
            ),
        }
    )
    assert tuple(table.column_names) == FACT_TABLES["usage_samples"].schema.names
    resources = np.array(
        [(c.cpu_request_m, c.cpu_limit_m, c.memory_request, c.memory_limit) for _, c in series],
        dtype=np.int64,
    ).reshape(-1, 4)
    return UsageSamples(
        table=table,
        cpu_millis_total=cpu_millis,
        hour_index=row_hour,
        pod_labels=pod_labels,
        pod_names=pod_names,
        pod_index=row_pod,
        pod_series=np.array(pod_series, dtype=np.int64),
        series_resources=resources,
        series_slots=series,
        namespace_awake=awake,
    )
