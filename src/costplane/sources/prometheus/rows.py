"""Query results as warehouse rows: `usage_samples` per container and hour, `service_usage`
per Traefik router (or service), per namespace's log bytes and per volume claim, per day.

Steps are folded into hours (and days) here, not in PromQL, so a step shorter
than an hour gives a real sub-hour peak: `cpu_usage_cores` is the mean of the
hour's step rates (the hour's average when the steps tile it) and
`cpu_usage_max_cores` their maximum; the working set's mean and maximum the
same way. A container has a row in every hour it has usage (CPU or working
set); requests and limits of hours without usage (a pending pod) are not rows.
Each row carries its pod's controlling workload (`workload_kind`, `workload_name`,
see workloads.py), or nulls when kube-state-metrics does not say.
Router names carry their namespace only as a prefix
(`<namespace>-<route>-<hash>@kubernetescrd`), so a router belongs to the
longest known namespace it starts with, or to none (""). A volume claim's daily row
is the most bytes it held that day (service `kubelet`, metric `used_bytes`), what
the governance fact `volume_used_bytes` reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import numpy as np
import pyarrow as pa

from costplane.sources.prometheus.samples import Keys, Samples
from costplane.sources.prometheus.window import DAY, HOUR, Window
from costplane.sources.prometheus.workloads import PodKey, Workload
from costplane.warehouse import FACT_TABLES

Reduction = Literal["mean", "max", "sum"]
LABEL = pa.dictionary(pa.int32(), pa.string())
"""Label columns are dictionary-encoded: a pod's name once per batch, not once per hour."""


def _labelled(schema: pa.Schema) -> pa.Schema:
    return pa.schema(
        [f.with_type(LABEL) if f.type == pa.string() else f for f in schema],
    )


USAGE_SCHEMA = _labelled(FACT_TABLES["usage_samples"].schema.to_pyarrow())
SERVICE_SCHEMA = _labelled(FACT_TABLES["service_usage"].schema.to_pyarrow())


def reduce(slot: np.ndarray, value: np.ndarray, how: Reduction) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct slot (ascending): the mean, max or sum of its values; NaN skipped."""
    keep = ~np.isnan(value)
    slot, value = slot[keep], value[keep]
    if not len(slot):
        return slot, value
    order = np.argsort(slot, kind="stable")
    slot, value = slot[order], value[order]
    distinct, starts = np.unique(slot, return_index=True)
    if how == "max":
        return distinct, np.maximum.reduceat(value, starts)
    total = np.add.reduceat(value, starts)
    if how == "sum":
        return distinct, total
    return distinct, total / np.diff(np.append(starts, len(slot)))


def _lookup(wanted: np.ndarray, slots: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The value of each wanted slot in (`slots` ascending, `values`); NaN where absent."""
    out = np.full(len(wanted), np.nan)
    if len(wanted) and len(slots):
        pos = np.minimum(np.searchsorted(slots, wanted), len(slots) - 1)
        hit = slots[pos] == wanted
        out[hit] = values[pos[hit]]
    return out


def _floats(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=np.isnan(values))


def _integers(values: np.ndarray) -> pa.Array:
    missing = np.isnan(values)
    return pa.array(np.where(missing, 0, np.rint(values)).astype(np.int64), mask=missing)


def _strings(values: list[str], index: np.ndarray) -> pa.DictionaryArray:
    """values[index] as a dictionary array (each distinct value once)."""
    encoded = pa.array(values, pa.string()).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    rows = pa.array(codes[index] if len(codes) else np.empty(0, np.int32), pa.int32())
    return pa.DictionaryArray.from_arrays(rows, encoded.dictionary)


def _optional_strings(values: list[str | None], index: np.ndarray) -> pa.DictionaryArray:
    """values[index] as a dictionary array, null where the value is None."""
    encoded = pa.array(values, pa.string()).dictionary_encode()
    codes = encoded.indices
    rows = codes.take(pa.array(index, pa.int64())) if len(codes) else pa.array([], pa.int32())
    return pa.DictionaryArray.from_arrays(rows, encoded.dictionary)


def _constant(value: str, length: int) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(length, np.int32)), pa.array([value], pa.string())
    )


def hour_slots(samples: Samples, window: Window) -> np.ndarray:
    """Per point: key x hours + the hour of the window its step lies in."""
    slots: np.ndarray = samples.key * window.hours + (samples.k - 1) * window.step // HOUR
    return slots


def usage_table(
    window: Window,
    cluster: str,
    containers: Keys,
    pods: Keys,
    fields: Mapping[str, Samples],
    workloads: Mapping[PodKey, Workload] | None = None,
) -> pa.Table:
    """usage_samples rows for the containers `containers` names, with the requests and limits
    of `pods` (both keyed by namespace, pod, container and node) and the workload of each
    pod in `workloads` (null for the others)."""

    def folded(name: str, how: Reduction) -> tuple[np.ndarray, np.ndarray]:
        samples = fields.get(name, Samples.empty())
        return reduce(hour_slots(samples, window), samples.value, how)

    cpu, cpu_max = folded("cpu_usage", "mean"), folded("cpu_usage", "max")
    memory, memory_peak = folded("memory_usage", "mean"), folded("memory_usage", "max")
    peak = folded("memory_peak", "max")
    rows = np.union1d(np.union1d(cpu[0], memory[0]), peak[0])
    key, hour = rows // window.hours, rows % window.hours
    pod_of = _request_keys(containers, pods)
    pod_rows = np.where(pod_of[key] >= 0, pod_of[key] * window.hours + hour, -1)

    def per_pod(name: str) -> np.ndarray:
        return _lookup(pod_rows, *folded(name, "mean"))

    stamps = ((window.start_epoch + hour * HOUR) * 1_000_000).astype("datetime64[us]")
    columns = {
        "hour": pa.array(stamps, pa.timestamp("us")),
        "cluster": _constant(cluster, len(rows)),
        "node": _strings(containers.column(3), key),
        "namespace": _strings(containers.column(0), key),
        "pod": _strings(containers.column(1), key),
        "container": _strings(containers.column(2), key),
        "cpu_request_cores": _floats(per_pod("cpu_request")),
        "cpu_limit_cores": _floats(per_pod("cpu_limit")),
        "cpu_usage_cores": _floats(_lookup(rows, *cpu)),
        "cpu_usage_max_cores": _floats(_lookup(rows, *cpu_max)),
        "memory_request_bytes": _integers(per_pod("memory_request")),
        "memory_limit_bytes": _integers(per_pod("memory_limit")),
        "memory_usage_bytes": _floats(_lookup(rows, *memory)),
        "memory_peak_bytes": _floats(np.fmax(_lookup(rows, *peak), _lookup(rows, *memory_peak))),
    }
    owners = [(workloads or {}).get((labels[0], labels[1])) for labels in containers.ids]
    columns["workload_kind"] = _optional_strings([w.kind if w else None for w in owners], key)
    columns["workload_name"] = _optional_strings([w.name if w else None for w in owners], key)
    return pa.table(columns, schema=USAGE_SCHEMA)


def _request_keys(containers: Keys, pods: Keys) -> np.ndarray:
    """Per container key, the requests' key: the same node, else the same pod and container
    on any node (a Prometheus whose cAdvisor series lack `node`); -1 when there is none."""
    by_pod: dict[tuple[str, ...], int] = {}
    for labels, key in pods.ids.items():
        by_pod.setdefault(labels[:3], key)
    return np.array(
        [pods.ids.get(labels, by_pod.get(labels[:3], -1)) for labels in containers.ids],
        dtype=np.int64,
    )


def window_days(window: Window) -> int:
    return (window.end_epoch - 1) // DAY - window.first_day + 1


def daily_values(
    samples: Samples, window: Window, how: Reduction = "sum"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (key, UTC day): key ids, day index, and the day's total (days above zero only:
    a counter that did not move is no row) or the day's maximum (every day with a value:
    a gauge at zero is a reading)."""
    days = window_days(window)
    step_start = window.start_epoch + (samples.k - 1) * window.step
    slots = samples.key * days + (step_start // DAY - window.first_day)
    slot, value = reduce(slots, samples.value, how)
    if how == "sum":
        positive = value > 0
        slot, value = slot[positive], value[positive]
    return slot // days, slot % days, value


def service_table(
    window: Window,
    cluster: str,
    *,
    samples: Samples,
    resources: list[str],
    namespaces: list[str],
    service: str,
    metric: str,
    how: Reduction = "sum",
) -> pa.Table:
    """service_usage rows: per resource (a key of `samples`) and day, the day's total (or
    maximum, `how="max"`)."""
    key, day, total = daily_values(samples, window, how)
    columns = {
        "day": pa.array((window.first_day + day).astype(np.int32), pa.date32()),
        "cluster": _constant(cluster, len(key)),
        "namespace": _strings(namespaces, key),
        "service": _constant(service, len(key)),
        "resource": _strings(resources, key),
        "metric": _constant(metric, len(key)),
        "quantity": pa.array(total, pa.float64()),
    }
    return pa.table(columns, schema=SERVICE_SCHEMA)


def owner_namespaces(names: Iterable[str], namespaces: Iterable[str]) -> list[str]:
    """Per Traefik router or service name, the longest namespace it starts with (then "-")."""
    known = set(namespaces)
    owners = []
    for name in names:
        bare = name.split("@", 1)[0]
        cuts = [i for i, char in enumerate(bare) if char == "-"]
        owners.append(next((bare[:i] for i in reversed(cuts) if bare[:i] in known), ""))
    return owners


def empty_usage() -> pa.Table:
    return USAGE_SCHEMA.empty_table()


def empty_service() -> pa.Table:
    return SERVICE_SCHEMA.empty_table()
