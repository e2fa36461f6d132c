"""prometheus/usage.om: the families, their real label sets, values written exactly, and the
direct-I/O writer behind it."""

from __future__ import annotations

import errno
import os
import re
from collections import defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from costplane_fleet import FleetSummary
from costplane_fleet.openmetrics import FAMILIES, DirectFile, millis_text

OPENMETRICS = "prometheus/usage.om"
CONTAINER = ["cluster", "namespace", "pod", "container", "node"]
POD = ["cluster", "namespace", "pod", "uid"]
OWNER = ["owner_kind", "owner_name", "owner_is_controller"]
HPA = ["cluster", "namespace", "horizontalpodautoscaler"]
MACHINE = ["cluster", "machine_id", "system_uuid", "boot_id", "node"]
LABELS = {
    "container_cpu_usage_seconds_total": CONTAINER,
    "container_memory_working_set_bytes": CONTAINER,
    "kube_pod_container_resource_requests": [*CONTAINER, "resource", "unit"],
    "kube_pod_container_resource_limits": [*CONTAINER, "resource", "unit"],
    "kube_node_status_capacity": ["cluster", "node", "resource", "unit"],
    "traefik_router_requests_total": [
        "cluster",
        "code",
        "method",
        "protocol",
        "router",
        "service",
    ],
    "costplane_log_bytes_total": ["cluster", "namespace"],
    "machine_cpu_cores": MACHINE,
    "machine_memory_bytes": MACHINE,
    "kube_pod_owner": [*POD, *OWNER],
    "kube_pod_status_phase": [*POD, "phase"],
    "kube_pod_container_info": [
        *POD,
        "container",
        "image_spec",
        "image",
        "image_id",
        "container_id",
    ],
    "kube_replicaset_owner": ["cluster", "namespace", "replicaset", *OWNER],
    "kube_job_owner": ["cluster", "namespace", "job_name", *OWNER],
    "kube_horizontalpodautoscaler_spec_max_replicas": HPA,
    "kube_horizontalpodautoscaler_spec_min_replicas": HPA,
    "kube_horizontalpodautoscaler_spec_target_metric": [
        *HPA,
        "metric_name",
        "metric_target_type",
    ],
    "kube_horizontalpodautoscaler_status_current_replicas": HPA,
    "kube_horizontalpodautoscaler_status_desired_replicas": HPA,
}
"""Label names per sample name, in order: the `cluster` external label, then those of
cAdvisor (as scraped by the Prometheus Operator, which adds `node`), kube-state-metrics
v2.15 (its default labels first: `namespace`, the object's name, a pod's `uid`) and
Traefik."""
SAMPLE = re.compile(r"^([a-z_]+)\{([^}]*)\} (\S+) (\d+)$")
EXACT = re.compile(r"^(0|[1-9]\d*)(\.\d*[1-9])?$")
"""A value with no more digits than it has: no exponent, no trailing zeros, no float noise."""


def _samples(
    path: Path,
) -> tuple[list[str], dict[str, int], dict[tuple[str, str], list[tuple[int, float]]]]:
    families: list[str] = []
    per_name: dict[str, int] = defaultdict(int)
    series: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    with path.open() as lines:
        for line in lines:
            if line.startswith("# TYPE "):
                families.append(line.split()[2])
                continue
            if line.startswith("#"):
                continue
            match = SAMPLE.match(line.rstrip("\n"))
            assert match, line
            name, labels, value, ts = match.groups()
            assert EXACT.match(value), line
            names = [pair.split("=", 1)[0] for pair in labels.split(",")]
            assert names == LABELS[name], line
            per_name[name] += 1
            series[(name, labels)].append((int(ts), float(value)))
    return families, per_name, series


def test_families_labels_and_values(small_fleet: FleetSummary) -> None:
    path = small_fleet.out / OPENMETRICS
    assert path.read_bytes().endswith(b"\n# EOF\n")
    families, per_name, series = _samples(path)
    assert families == [f.name for f in FAMILIES]
    rows = small_fleet.usage_rows
    assert per_name["container_cpu_usage_seconds_total"] == rows
    assert per_name["container_memory_working_set_bytes"] == rows
    assert per_name["kube_pod_container_resource_requests"] == 2 * rows
    assert per_name["kube_pod_container_resource_limits"] == 2 * rows
    assert (
        per_name["kube_node_status_capacity"]
        == 2 * small_fleet.counts["nodes"] * small_fleet.spec.hours
    )
    start = int(small_fleet.spec.start_epoch)
    for (name, labels), samples in series.items():
        stamps = [t for t, _ in samples]
        assert stamps == sorted(set(stamps)), (name, labels)
        assert all(
            (t - start) % 3600 == 0 and start < t <= start + small_fleet.spec.hours * 3600
            for t in stamps
        )
        if name.endswith("_total"):
            values = [v for _, v in samples]
            assert values == sorted(values), (name, labels)


def test_requests_match_the_usage_table(small_fleet: FleetSummary) -> None:
    """The kube-state-metrics requests are the usage rows' requests, hour by hour."""
    usage = pq.read_table(small_fleet.out / "usage" / "usage_samples.parquet")
    expected: dict[tuple[str, int], float] = defaultdict(float)
    for pod, hour, cores in zip(
        usage.column("pod").to_pylist(),
        usage.column("hour").to_pylist(),
        usage.column("cpu_request_cores").to_pylist(),
        strict=True,
    ):
        expected[(pod, int(hour.timestamp()) + 3600)] += cores
    _, _, series = _samples(small_fleet.out / OPENMETRICS)
    got: dict[tuple[str, int], float] = defaultdict(float)
    for (name, labels), samples in series.items():
        if name == "kube_pod_container_resource_requests" and 'resource="cpu"' in labels:
            pod = re.search(r'pod="([^"]+)"', labels)
            assert pod is not None
            for ts, value in samples:
                got[(pod.group(1), ts)] += value
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize(
    ("millis", "text"),
    [(0, "0"), (5, "0.005"), (250, "0.25"), (1000, "1"), (1500, "1.5"), (123456, "123.456")],
)
def test_millis_text_is_the_shortest_exact_decimal(millis: int, text: str) -> None:
    assert millis_text(millis) == text


@pytest.mark.parametrize("refused", [None, "at open", "at write"])
def test_direct_file_writes_exactly_what_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str | None
) -> None:
    """Whole and partial buffers, a size that is no multiple of the block, and the plain
    fallback when the file system refuses O_DIRECT when the file is opened or written."""
    direct = getattr(os, "O_DIRECT", 0)
    real_open, real_write = os.open, os.write
    failed_writes: list[int] = []

    def fake_open(path: str, flags: int, mode: int = 0o777) -> int:
        if refused == "at open" and flags & direct:
            raise OSError(errno.EINVAL, "O_DIRECT refused")
        if refused == "at write":
            flags &= ~direct  # as if accepted; the first write then fails
        return real_open(path, flags, mode)

    def fake_write(fd: int, data: memoryview) -> int:
        if refused == "at write" and not failed_writes:
            failed_writes.append(fd)
            raise OSError(errno.EINVAL, "O_DIRECT write refused")
        return real_write(fd, data)

    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "write", fake_write)
    monkeypatch.setattr(DirectFile, "BUFFER", 1 << 16)
    chunks = [bytes([k % 251]) * n for k, n in enumerate([1, 4095, 70_000, 3, 65_536, 12_345])]
    path = tmp_path / "out.bin"
    with DirectFile(path) as out:
        for chunk in chunks:
            out.write(memoryview(chunk))
    assert out.size == sum(map(len, chunks))
    assert path.read_bytes() == b"".join(chunks)
    assert bool(failed_writes) == (refused == "at write" and bool(direct))
