"""`prometheus/usage.om`: the fleet's samples as OpenMetrics text for
`promtool tsdb create-blocks-from openmetrics`.

DuckDB formats the lines whose value changes every hour (one string expression
per family, over Arrow tables that reuse the usage arrays) on its own threads;
series whose value is fixed (requests, limits, kube-state-metrics' owners,
phases and info series, nodes, HPAs) are one `bytes.join` of the timestamps
each; the text is streamed to the file through `O_DIRECT` (see `DirectFile`),
so no Python code runs per sample. What is constant for a series is rendered
once in Python: the metric name and label set, and the value of series that do
not change. Per-sample values are integers, or core-seconds to the
millisecond with no trailing zeros, so no float noise reaches the file.

Every sample is stamped at the end of the hour it describes (hour + 3600 s);
counters are cumulative from the pod's start (for routers and log streams, from
their first hour with traffic). The families are written one after the other
and each one's table is built just before it is needed and dropped after, to
keep memory flat.
"""

from __future__ import annotations

import errno
import mmap
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import duckdb
import numpy as np
import pyarrow as pa

from costplane.written_file import replacing
from costplane_fleet.clusters import Node
from costplane_fleet.kube_state import (
    PHASES,
    CollectorJobs,
    PodLabels,
    Series,
    autoscalers,
    collector_jobs,
    machines,
    pod_labels,
    replicaset_owners,
)
from costplane_fleet.services import METHOD_SHARE, ServiceTraffic
from costplane_fleet.spec import FleetSpec
from costplane_fleet.usage import UsageSamples
from costplane_fleet.workloads import Namespace

THREADS = 2
MEMORY_LIMIT = "1GB"
STREAMING_BUFFER = "16MB"
"""How far DuckDB's threads may format ahead of the writer."""
BATCH_ROWS = 1 << 14
"""Rows per Arrow batch taken from DuckDB: small batches reuse the same memory."""
SERIES_CHUNK = 4096
"""Router or log series turned into rows at a time."""
TEXT_CHUNK = 1 << 23
"""Bytes of text formatted in Python before they are handed to the writer."""


@dataclass(frozen=True)
class Family:
    name: str
    kind: str
    unit: str | None
    help: str

    def header(self) -> bytes:
        lines = [f"# TYPE {self.name} {self.kind}", f"# HELP {self.name} {self.help}"]
        if self.unit:
            lines.append(f"# UNIT {self.name} {self.unit}")
        return "".join(f"{line}\n" for line in lines).encode()

    @property
    def sample(self) -> str:
        """The sample name: counters end in `_total`."""
        return f"{self.name}_total" if self.kind == "counter" else self.name


CPU = Family(
    "container_cpu_usage_seconds",
    "counter",
    "seconds",
    "Cumulative cpu time consumed by the container in core-seconds.",
)
MEMORY = Family(
    "container_memory_working_set_bytes", "gauge", "bytes", "Current working set of the container."
)
REQUESTS = Family(
    "kube_pod_container_resource_requests",
    "gauge",
    None,
    "The number of requested request resource by a container.",
)
LIMITS = Family(
    "kube_pod_container_resource_limits",
    "gauge",
    None,
    "The number of requested limit resource by a container.",
)
CAPACITY = Family(
    "kube_node_status_capacity", "gauge", None, "The capacity for different resources of a node."
)
ROUTER_REQUESTS = Family(
    "traefik_router_requests",
    "counter",
    None,
    "How many HTTP requests are processed on a router, partitioned by service, status code, "
    "protocol, and method.",
)
LOG_BYTES = Family(
    "costplane_log_bytes",
    "counter",
    "bytes",
    "Log bytes ingested by the log pipeline per namespace.",
)
MACHINE_CPU = Family("machine_cpu_cores", "gauge", None, "Number of logical CPU cores.")
MACHINE_MEMORY = Family(
    "machine_memory_bytes", "gauge", "bytes", "Amount of memory installed on the machine."
)
POD_OWNER = Family("kube_pod_owner", "gauge", None, "Information about the Pod's owner.")
POD_PHASE = Family("kube_pod_status_phase", "gauge", None, "The pods current phase.")
CONTAINER_INFO = Family(
    "kube_pod_container_info", "gauge", None, "Information about a container in a pod."
)
REPLICASET_OWNER = Family(
    "kube_replicaset_owner", "gauge", None, "Information about the ReplicaSet's owner."
)
JOB_OWNER = Family("kube_job_owner", "gauge", None, "Information about the Job's owner.")
HPA_MAX = Family(
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "gauge",
    None,
    "Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller "
    "than MinReplicas.",
)
HPA_MIN = Family(
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "gauge",
    None,
    "Lower limit for the number of pods that can be set by the autoscaler, default 1.",
)
HPA_TARGET = Family(
    "kube_horizontalpodautoscaler_spec_target_metric",
    "gauge",
    None,
    "The metric specifications used by this autoscaler when calculating the desired replica count.",
)
HPA_CURRENT = Family(
    "kube_horizontalpodautoscaler_status_current_replicas",
    "gauge",
    None,
    "Current number of replicas of pods managed by this autoscaler.",
)
HPA_DESIRED = Family(
    "kube_horizontalpodautoscaler_status_desired_replicas",
    "gauge",
    None,
    "Desired number of replicas of pods managed by this autoscaler.",
)
FAMILIES = (
    CPU,
    MEMORY,
    REQUESTS,
    LIMITS,
    CAPACITY,
    ROUTER_REQUESTS,
    LOG_BYTES,
    MACHINE_CPU,
    MACHINE_MEMORY,
    POD_OWNER,
    POD_PHASE,
    CONTAINER_INFO,
    REPLICASET_OWNER,
    JOB_OWNER,
    HPA_MAX,
    HPA_MIN,
    HPA_TARGET,
    HPA_CURRENT,
    HPA_DESIRED,
)
"""In the order they are written."""
CPU_RESOURCE = 'resource="cpu",unit="core"'
MEMORY_RESOURCE = 'resource="memory",unit="byte"'
CPU_SECONDS = (
    "millis // 1000 || CASE WHEN millis % 1000 = 0 THEN '' "
    "ELSE '.' || rtrim(lpad(CAST(millis % 1000 AS VARCHAR), 3, '0'), '0') END"
)
"""Core-milliseconds as seconds, with no trailing zeros."""


def millis_text(value: int) -> str:
    """An integer number of thousandths as the shortest exact decimal (`1500` -> `1.5`)."""
    whole, frac = divmod(value, 1000)
    return str(whole) if frac == 0 else f"{whole}.{frac:03d}".rstrip("0")


def _dictionary(indices: np.ndarray | pa.Array, values: list[str]) -> pa.DictionaryArray:
    if isinstance(indices, np.ndarray):
        indices = pa.array(indices)
    return pa.DictionaryArray.from_arrays(indices, pa.array(values, pa.string()))


def _timestamps(spec: FleetSpec) -> list[str]:
    """Per hour of the window: ` <end of the hour, epoch seconds>` and the newline."""
    return [f" {spec.start_epoch + (h + 1) * 3600}\n" for h in range(spec.hours)]


Build = Callable[[], pa.Table]
"""Builds one family's rows; called just before the family is written."""


@dataclass(frozen=True)
class Rows:
    """Part of a family formatted by DuckDB: a table and the line expressions over it (each
    expression is written for every row before the next one starts)."""

    build: Build
    lines: list[str]


@dataclass(frozen=True)
class Texts:
    """Part of a family formatted in Python: few series, each a run of the same text."""

    chunks: Callable[[], Iterator[bytes]]


Part = Rows | Texts


def _row_table(
    usage: UsageSamples,
    spec: FleetSpec,
    family: Family,
    base: list[str],
    suffixes: list[list[str]],
    **values: pa.Array,
) -> Build:
    """Per usage row, one prefix column per suffix list: the sample name, the row's pod
    index's `base` labels and suffix; and the hour's timestamp."""

    def build() -> pa.Table:
        pod = pa.array(usage.pod_index)
        prefixes = {
            f"prefix{k}": _dictionary(
                pod, [f"{family.sample}{{{lab}{s}" for lab, s in zip(base, texts, strict=True)]
            )
            for k, texts in enumerate(suffixes)
        }
        ts = _dictionary(usage.hour_index, _timestamps(spec))
        return pa.table({**prefixes, "ts": ts, **values})

    return build


def _container_families(usage: UsageSamples, spec: FleetSpec) -> list[tuple[Family, list[Part]]]:
    """The cAdvisor and kube-state-metrics container families: per usage row, its pod's
    series prefix (the same index array for every family), its hour and, for cAdvisor,
    the value."""
    per_pod = usage.series_resources[usage.pod_series]

    def cores(k: int) -> list[str]:
        return [f",{CPU_RESOURCE}}} {millis_text(int(v))}" for v in per_pod[:, k]]

    def memory(k: int) -> list[str]:
        return [f",{MEMORY_RESOURCE}}} {int(v)}" for v in per_pod[:, k]]

    plain = ["} "] * len(usage.pod_labels)

    def table(family: Family, suffixes: list[list[str]], **values: pa.Array) -> Build:
        return _row_table(usage, spec, family, usage.pod_labels, suffixes, **values)

    return [
        (
            CPU,
            [
                Rows(
                    table(CPU, [plain], millis=pa.array(usage.cpu_millis_total)),
                    [f"prefix0 || {CPU_SECONDS} || ts"],
                )
            ],
        ),
        (
            MEMORY,
            [
                Rows(
                    table(MEMORY, [plain], memory_bytes=usage.table.column("memory_usage_bytes")),
                    ["prefix0 || CAST(round(memory_bytes) AS BIGINT) || ts"],
                )
            ],
        ),
        (REQUESTS, [_pod_texts(REQUESTS, usage, spec, usage.pod_labels, [cores(0), memory(2)])]),
        (LIMITS, [_pod_texts(LIMITS, usage, spec, usage.pod_labels, [cores(1), memory(3)])]),
    ]


def _pod_families(
    usage: UsageSamples, spec: FleetSpec, pods: PodLabels, jobs: CollectorJobs
) -> list[tuple[Family, list[Part]]]:
    """kube-state-metrics' pod series: per pod and hour it ran, its owner, its phase (five
    series) and its containers' info; then the collector Jobs' pods, one hour each."""
    owner = [f",{text}}} 1" for text in pods.owner]
    info = [f",{text}}} 1" for text in pods.container]
    phases = [f',phase="{p}"}} {int(p == "Running")}' for p in PHASES]
    return [
        (
            POD_OWNER,
            [
                _pod_texts(POD_OWNER, usage, spec, pods.pod, [owner], pods.first),
                _texts(POD_OWNER, jobs.pod_owner, spec),
            ],
        ),
        (
            POD_PHASE,
            [
                _pod_texts(
                    POD_PHASE,
                    usage,
                    spec,
                    pods.pod,
                    [[p] * len(pods.pod) for p in phases],
                    pods.first,
                ),
                _texts(POD_PHASE, jobs.pod_phase, spec),
            ],
        ),
        (
            CONTAINER_INFO,
            [
                _pod_texts(CONTAINER_INFO, usage, spec, pods.pod, [info]),
                _texts(CONTAINER_INFO, jobs.container_info, spec),
            ],
        ),
    ]


def _pod_texts(
    family: Family,
    usage: UsageSamples,
    spec: FleetSpec,
    base: list[str],
    suffixes: list[list[str]],
    only: np.ndarray | None = None,
) -> Texts:
    """Per pod index (where `only` is True, if given), one series per suffix list over the
    hours the pod has rows, each line `base + suffix + timestamp`: series whose value does
    not change. A pod's rows are consecutive and its hours a run, so each series is one
    `bytes.join` of the window's timestamps: as fast as copying, and a few Python steps
    per pod, not per sample (DuckDB took twice as long for the same lines)."""
    stamps = [t.encode() for t in _timestamps(spec)]

    def chunks() -> Iterator[bytes]:
        index = usage.pod_index
        starts = np.flatnonzero(np.diff(index, prepend=-1))
        ends = np.append(starts[1:], len(index))
        parts: list[bytes] = []
        size = 0
        for lo, hi in zip(starts.tolist(), ends.tolist(), strict=True):
            k = int(index[lo])
            if only is not None and not only[k]:
                continue
            first, last = int(usage.hour_index[lo]), int(usage.hour_index[hi - 1])
            if last - first + 1 == hi - lo:
                hours = stamps[first : last + 1]
            else:  # pragma: no cover - the generator's pods run in one stretch
                hours = [stamps[int(h)] for h in usage.hour_index[lo:hi]]
            for texts in suffixes:
                prefix = f"{family.sample}{{{base[k]}{texts[k]}".encode()
                parts.append(prefix)
                parts.append(prefix.join(hours))
                size += len(prefix) * len(hours)
            if size > TEXT_CHUNK:
                yield b"".join(parts)
                parts, size = [], 0
        yield b"".join(parts)

    return Texts(chunks)


def _texts(family: Family, series: list[Series], spec: FleetSpec) -> Texts:
    """The samples of few series, formatted in Python: each run of hours with the same value
    is one `bytes.join` (the line's text is the same but for the timestamp)."""
    stamps = [t.encode() for t in _timestamps(spec)]

    def chunks() -> Iterator[bytes]:
        parts: list[bytes] = []
        size = 0
        for one in series:
            hours = np.flatnonzero(one.present)
            if not len(hours):
                continue
            values = one.values[hours]
            cuts = np.flatnonzero((np.diff(hours) != 1) | (np.diff(values) != 0)) + 1
            for run in np.split(np.arange(len(hours)), cuts):
                value = values[run[0]]
                text = str(int(value)) if float(value).is_integer() else repr(float(value))
                prefix = f"{family.sample}{{{one.labels}}} {text}".encode()
                parts.append(prefix)
                parts.append(prefix.join(stamps[hours[run[0]] : hours[run[-1]] + 1]))
                size += len(prefix) * len(run)
            if size > TEXT_CHUNK:
                yield b"".join(parts)
                parts, size = [], 0
        yield b"".join(parts)

    return Texts(chunks)


def _capacity_table(nodes: list[Node], spec: FleetSpec) -> pa.Table:
    prefixes = []
    for node in nodes:
        name = f'{CAPACITY.sample}{{cluster="{node.cluster}",node="{node.name}"'
        prefixes.append(f"{name},{CPU_RESOURCE}}} {node.instance.vcpu}")
        prefixes.append(f"{name},{MEMORY_RESOURCE}}} {node.capacity_memory}")
    hours = spec.hours
    return pa.table(
        {
            "prefix": _dictionary(
                np.repeat(np.arange(len(prefixes), dtype=np.int32), hours), prefixes
            ),
            "ts": _dictionary(
                np.tile(np.arange(hours, dtype=np.int32), len(prefixes)), _timestamps(spec)
            ),
        }
    )


def _counter_table(
    n_series: int,
    counts: Callable[[int, int], np.ndarray],
    label: Callable[[int], str],
    spec: FleetSpec,
) -> pa.Table:
    """Cumulative counters of `n_series` series, each from its first hour with a count:
    (series prefix, value, timestamp) rows, series-major. `counts(lo, hi)` gives the hourly
    counts of series lo..hi-1 as a (series, hours) array of whole numbers."""
    hours = spec.hours

    def chunks() -> Iterator[tuple[int, np.ndarray]]:
        for lo in range(0, n_series, SERIES_CHUNK):
            yield lo, counts(lo, min(n_series, lo + SERIES_CHUNK))

    first = np.full(n_series, hours, dtype=np.int64)
    for lo, block in chunks():
        seen = block > 0
        first[lo : lo + len(block)] = np.where(seen.any(axis=1), seen.argmax(axis=1), hours)
    kept = np.flatnonzero(first < hours)
    n_rows = int((hours - first[kept]).sum())
    series = np.repeat(np.arange(len(kept), dtype=np.int32), hours - first[kept])
    hour = np.empty(n_rows, dtype=np.int32)
    value = np.empty(n_rows, dtype=np.int64)
    row = 0
    for lo, block in chunks():
        cumulative = np.cumsum(block, axis=1).astype(np.int64)
        rows, cols = np.nonzero(np.arange(hours)[None, :] >= first[lo : lo + len(block), None])
        hour[row : row + len(rows)] = cols
        value[row : row + len(rows)] = cumulative[rows, cols]
        row += len(rows)
    return pa.table(
        {
            "series": _dictionary(series, [label(int(k)) for k in kept]),
            "v": pa.array(value),
            "ts": _dictionary(hour, _timestamps(spec)),
        }
    )


def _router_table(traffic: ServiceTraffic, spec: FleetSpec) -> pa.Table:
    """One series per router and method; GET gets floor(62 %) of each hour's requests."""
    methods = len(METHOD_SHARE)

    def counts(lo: int, hi: int) -> np.ndarray:
        req = traffic.requests[lo // methods : -(-hi // methods)]
        get = np.floor(req * METHOD_SHARE[0][1])
        per_method = np.stack([get, req - get], axis=1).reshape(-1, req.shape[1])
        start = lo - lo // methods * methods
        return per_method[start : start + hi - lo]

    def label(k: int) -> str:
        router = traffic.routers[k // methods]
        return (
            f'{ROUTER_REQUESTS.sample}{{cluster="{router.cluster}",code="200",'
            f'method="{METHOD_SHARE[k % methods][0]}",'
            f'protocol="http",router="{router.name}",service="{router.service}"}} '
        )

    return _counter_table(len(traffic.routers) * methods, counts, label, spec)


def _log_table(traffic: ServiceTraffic, spec: FleetSpec) -> pa.Table:
    def label(k: int) -> str:
        cluster, namespace = traffic.log_namespaces[k]
        return f'{LOG_BYTES.sample}{{cluster="{cluster}",namespace="{namespace}"}} '

    return _counter_table(
        len(traffic.log_namespaces), lambda lo, hi: traffic.log_bytes[lo:hi], label, spec
    )


class DirectFile:
    """A file written front to back through `O_DIRECT`, from an aligned buffer.

    Through the page cache, writing 10 GB cost 24 s of kernel time on the 2-core virtual
    machine this was measured on (more than formatting the text); with direct I/O, 4 s
    in all and 0.3 s of kernel time. Where the file system refuses `O_DIRECT` (tmpfs,
    platforms without it), at open or at the first write, the same buffer is written
    normally. Writes are whole blocks; the file is cut to its size when closed.
    """

    BLOCK = 1 << 12
    BUFFER = 1 << 26

    def __init__(self, path: Path) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        self._direct = getattr(os, "O_DIRECT", 0)
        try:
            self._fd = os.open(path, flags | self._direct, 0o644)
        except OSError as exc:
            if exc.errno != errno.EINVAL or not self._direct:
                raise
            self._direct = 0
            self._fd = os.open(path, flags, 0o644)
        self._buffer = mmap.mmap(-1, self.BUFFER)  # page-aligned, as O_DIRECT needs
        self._fill = 0
        self.size = 0
        """Bytes written so far."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def write(self, data: memoryview) -> None:
        data = data.cast("B")
        while len(data):
            n = min(len(data), self.BUFFER - self._fill)
            self._buffer[self._fill : self._fill + n] = data[:n]
            self._fill += n
            self.size += n
            data = data[n:]
            if self._fill == self.BUFFER:
                self._drain(self.BUFFER)

    def _drain(self, length: int) -> None:
        with memoryview(self._buffer) as view:
            done = 0
            while done < length:
                try:
                    done += os.write(self._fd, view[done:length])
                except OSError as exc:
                    if exc.errno != errno.EINVAL or not self._direct:
                        raise
                    self._buffered()
        self._fill = 0

    def _buffered(self) -> None:
        """Go on without O_DIRECT (the file system took the flag but not the writes)."""
        import fcntl  # only where O_DIRECT exists, which is Linux

        flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
        fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~self._direct)
        self._direct = 0

    def close(self) -> None:
        if self._buffer.closed:
            return
        try:
            padded = -(-self._fill // self.BLOCK) * self.BLOCK
            self._buffer[self._fill : padded] = bytes(padded - self._fill)
            self._drain(padded)
            os.ftruncate(self._fd, self.size)
        finally:
            os.close(self._fd)
            self._buffer.close()


def _write_lines(
    con: duckdb.DuckDBPyConnection, query: str, out: DirectFile, stop: threading.Event | None
) -> None:
    """Stream the query's single text column into the file (each value ends in a newline)."""
    for batch in con.sql(query).fetch_record_batch(BATCH_ROWS):
        if stop is not None and stop.is_set():
            return
        column = batch.column(0)
        if not len(column):
            continue
        if column.type == pa.string():
            offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)
        elif column.type == pa.large_string():
            offsets = np.frombuffer(column.buffers()[1], dtype=np.int64)
        else:  # pragma: no cover - DuckDB gives VARCHAR as string unless configured otherwise
            raise TypeError(f"unexpected Arrow type {column.type} for a line")
        first, last = offsets[column.offset], offsets[column.offset + len(column)]
        out.write(memoryview(column.buffers()[2])[int(first) : int(last)])


def write_openmetrics(
    path: Path,
    usage: UsageSamples,
    traffic: ServiceTraffic,
    nodes: list[Node],
    namespaces: list[Namespace],
    spec: FleetSpec,
    stop: threading.Event | None = None,
) -> int:
    """Write the file and return its size in bytes. When `stop` is set (the caller gave up)
    the writing ends early and the file is incomplete."""
    pods = pod_labels(usage)
    jobs = collector_jobs(namespaces, spec)
    hpa = autoscalers(usage, spec)
    cores, memory = machines(nodes, spec)
    families: list[tuple[Family, list[Part]]] = [
        *_container_families(usage, spec),
        (CAPACITY, [Rows(lambda: _capacity_table(nodes, spec), ["prefix || ts"])]),
        (ROUTER_REQUESTS, [Rows(lambda: _router_table(traffic, spec), ["series || v || ts"])]),
        (LOG_BYTES, [Rows(lambda: _log_table(traffic, spec), ["series || v || ts"])]),
        (MACHINE_CPU, [_texts(MACHINE_CPU, cores, spec)]),
        (MACHINE_MEMORY, [_texts(MACHINE_MEMORY, memory, spec)]),
        *_pod_families(usage, spec, pods, jobs),
        (REPLICASET_OWNER, [_texts(REPLICASET_OWNER, replicaset_owners(usage, spec), spec)]),
        (JOB_OWNER, [_texts(JOB_OWNER, jobs.job_owner, spec)]),
        (HPA_MAX, [_texts(HPA_MAX, hpa.max_replicas, spec)]),
        (HPA_MIN, [_texts(HPA_MIN, hpa.min_replicas, spec)]),
        (HPA_TARGET, [_texts(HPA_TARGET, hpa.target_metric, spec)]),
        (HPA_CURRENT, [_texts(HPA_CURRENT, hpa.current_replicas, spec)]),
        (HPA_DESIRED, [_texts(HPA_DESIRED, hpa.desired_replicas, spec)]),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(
        config={"threads": THREADS, "preserve_insertion_order": True, "memory_limit": MEMORY_LIMIT}
    )
    con.execute(f"SET streaming_buffer_size = '{STREAMING_BUFFER}'")
    try:
        with replacing(path) as temporary, DirectFile(temporary) as out:
            for family, parts in families:
                out.write(memoryview(family.header()))
                for part in parts:
                    if isinstance(part, Texts):
                        for chunk in part.chunks():
                            if stop is not None and stop.is_set():
                                break
                            out.write(memoryview(chunk))
                        continue
                    con.register("samples", part.build())
                    for line in part.lines:
                        _write_lines(con, f"SELECT {line} FROM samples", out, stop)
                    con.unregister("samples")
            out.write(memoryview(b"# EOF\n"))
    finally:
        con.close()
    return out.size
