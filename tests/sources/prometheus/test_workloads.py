"""Each usage row's workload, from kube-state-metrics' owner series in a real Prometheus:
a hand-written history with every kind of controller the walk knows, pods with no
controller, a pod kube-state-metrics does not know, and a second cluster whose
same-named pod belongs to another workload."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from costplane.sources.collector import Collected
from costplane.sources.prometheus import Window
from tests.sources.prometheus.conftest import collect, table
from tests.sources.prometheus.server import backfill, prometheus_server

DAY = dt.datetime(2025, 6, 2)
E0 = int(DAY.replace(tzinfo=dt.UTC).timestamp())
HOURS = 3
CLUSTER = 'cluster="eu-1"'
CONTROLLER = 'owner_is_controller="true"'

PODS = {
    # pod: (owner series labels, or None for no kube_pod_owner series; expected workload)
    "web-5d8f7c9b6d-x7k2p": (
        f'owner_kind="ReplicaSet",owner_name="web-5d8f7c9b6d",{CONTROLLER}',
        ("Deployment", "web"),
    ),
    "canary-6c4f9d8b7-q2w3e": (
        f'owner_kind="ReplicaSet",owner_name="canary-6c4f9d8b7",{CONTROLLER}',
        ("Rollout", "canary"),
    ),
    "orphan-7f6e5d4c3-abcde": (
        f'owner_kind="ReplicaSet",owner_name="orphan-7f6e5d4c3",{CONTROLLER}',
        ("ReplicaSet", "orphan-7f6e5d4c3"),
    ),
    "db-0": (f'owner_kind="StatefulSet",owner_name="db",{CONTROLLER}', ("StatefulSet", "db")),
    "node-exporter-8kq2z": (
        f'owner_kind="DaemonSet",owner_name="node-exporter",{CONTROLLER}',
        ("DaemonSet", "node-exporter"),
    ),
    "backup-29150000-zx9cv": (
        f'owner_kind="Job",owner_name="backup-29150000",{CONTROLLER}',
        ("CronJob", "backup"),
    ),
    "migrate-once-4hj7k": (
        f'owner_kind="Job",owner_name="migrate-once",{CONTROLLER}',
        ("Job", "migrate-once"),
    ),
    # kube-state-metrics v2.8 and later: a pod without owners has its owner labels empty,
    # which Prometheus stores as no label at all
    "debug-shell": ("", ("Pod", "debug-shell")),
    # before v2.8 they read <none>
    "old-debug": (
        'owner_kind="<none>",owner_name="<none>",owner_is_controller="<none>"',
        ("Pod", "old-debug"),
    ),
    # an owner that is not a controller (kubectl's --cascade orphaned it) leaves it bare
    "adopted-1": (
        'owner_kind="ConfigMap",owner_name="settings",owner_is_controller="false"',
        ("Pod", "adopted-1"),
    ),
    "unknown-pod": (None, (None, None)),
}
SUBOWNERS = [
    f'kube_replicaset_owner{{{CLUSTER},namespace="shop",replicaset="web-5d8f7c9b6d",'
    f'owner_kind="Deployment",owner_name="web",{CONTROLLER}}}',
    f'kube_replicaset_owner{{{CLUSTER},namespace="shop",replicaset="canary-6c4f9d8b7",'
    f'owner_kind="Rollout",owner_name="canary",{CONTROLLER}}}',
    f'kube_replicaset_owner{{{CLUSTER},namespace="shop",replicaset="orphan-7f6e5d4c3"}}',
    f'kube_job_owner{{{CLUSTER},namespace="shop",job_name="backup-29150000",'
    f'owner_kind="CronJob",owner_name="backup",{CONTROLLER}}}',
    f'kube_job_owner{{{CLUSTER},namespace="shop",job_name="migrate-once"}}',
]
OTHER_CLUSTER_POD = "db-0"
"""eu-2 runs a shop/db-0 too, but as a pod of a Deployment `db-legacy`."""


def openmetrics() -> str:
    stamps = [E0 + 3600 * h for h in range(HOURS + 1)]
    cpu, memory, owner = [], [], []
    pods = [(CLUSTER, pod, labels) for pod, (labels, _) in PODS.items()]
    pods.append(
        (
            'cluster="eu-2"',
            OTHER_CLUSTER_POD,
            f'owner_kind="ReplicaSet",owner_name="db-legacy-1a2b3c4d5",{CONTROLLER}',
        )
    )
    for cluster, pod, labels in pods:
        container = f'{cluster},namespace="shop",pod="{pod}",container="main",node="n1"'
        cpu += [
            f"container_cpu_usage_seconds_total{{{container}}} {60 * h} {t}"
            for h, t in enumerate(stamps)
        ]
        memory += [f"container_memory_working_set_bytes{{{container}}} 1000000 {t}" for t in stamps]
        if labels is not None:
            pod_labels = f'{cluster},namespace="shop",pod="{pod}",uid="u-{pod}"'
            extra = f",{labels}" if labels else ""
            owner += [f"kube_pod_owner{{{pod_labels}{extra}}} 1 {t}" for t in stamps]
    legacy = (
        'kube_replicaset_owner{cluster="eu-2",namespace="shop",replicaset="db-legacy-1a2b3c4d5",'
        f'owner_kind="Deployment",owner_name="db-legacy",{CONTROLLER}}}'
    )
    subowners = [f"{s} 1 {t}" for s in [*SUBOWNERS, legacy] for t in stamps]
    families = [
        ("container_cpu_usage_seconds", "counter", cpu),
        ("container_memory_working_set_bytes", "gauge", memory),
        ("kube_pod_owner", "gauge", owner),
        ("kube_replicaset_owner", "gauge", [s for s in subowners if "replicaset_owner" in s]),
        ("kube_job_owner", "gauge", [s for s in subowners if "job_owner" in s]),
    ]
    lines = []
    for name, kind, samples in families:
        lines.append(f"# TYPE {name} {kind}")
        lines += samples
    return "\n".join(lines) + "\n# EOF\n"


@pytest.fixture(scope="module")
def owners_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("prometheus-owners")
    (folder / "data.om").write_text(openmetrics())
    backfill(folder / "data.om", folder / "tsdb")
    with prometheus_server(folder / "tsdb") as url:
        yield url


def collected(url: str, *selector: str) -> Collected:
    window = Window(DAY, DAY + dt.timedelta(hours=HOURS), 3600)
    return collect(url, window, selector=selector, log_bytes="costplane_log_bytes_total")


def test_every_controller_kind_resolves_to_its_workload(owners_url: str) -> None:
    result = collected(owners_url, CLUSTER)
    assert result.missing == []
    rows = table(result, "usage_samples").to_pylist()
    got: dict[str, set[tuple[str | None, str | None]]] = {}
    for row in rows:
        got.setdefault(row["pod"], set()).add((row["workload_kind"], row["workload_name"]))
    # db-0 is the StatefulSet's: the selector keeps eu-2's owner series (a Deployment's) out
    assert got == {pod: {expected} for pod, (_, expected) in PODS.items()}
    # the first hour has no CPU (no earlier sample) but has its working set: HOURS rows each
    assert len(rows) == HOURS * len(PODS)
    assert result.summary["usage_rows_without_workload"] == HOURS
    assert result.summary["workloads"] == len(PODS) - 1
