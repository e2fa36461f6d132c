"""prometheus/usage.om as kube-state-metrics and cAdvisor expose a cluster: every pod tied to
its workload, its phase and container, the HPAs and the machines, each agreeing with the
fleet's kubectl inventory and usage rows, and a `cluster` label that tells the clusters
apart."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import pyarrow.parquet as pq
import pytest

from costplane.quantity import cpu_cores, memory_bytes
from costplane_fleet import FleetSummary

if TYPE_CHECKING:
    from tests.fleet.conftest import Kubectl

SAMPLE = re.compile(r"^([a-z_]+)\{([^}]*)\} (\S+) (\d+)$")
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')
PHASES = {"Pending", "Succeeded", "Failed", "Unknown", "Running"}

Labels = tuple[tuple[str, str], ...]
Parsed = dict[str, dict[Labels, dict[int, float]]]
"""name -> label set -> timestamp -> value."""


@pytest.fixture(scope="module")
def parsed(small_fleet: FleetSummary) -> Parsed:
    out: Parsed = defaultdict(lambda: defaultdict(dict))
    with (small_fleet.out / "prometheus" / "usage.om").open() as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            match = SAMPLE.match(line.rstrip("\n"))
            assert match, line
            name, text, value, ts = match.groups()
            labels = tuple(LABEL.findall(text))
            assert int(ts) not in out[name][labels], line
            out[name][labels][int(ts)] = float(value)
    return out


def series(parsed: Parsed, name: str) -> list[tuple[dict[str, str], dict[int, float]]]:
    return [(dict(labels), samples) for labels, samples in parsed[name].items()]


def only(parsed: Parsed, name: str, **match: str) -> dict[int, float]:
    """The samples of the one series of `name` whose labels include `match`."""
    found = [s for labels, s in series(parsed, name) if match.items() <= labels.items()]
    assert len(found) == 1, (name, match, len(found))
    return found[0]


@pytest.fixture(scope="module")
def usage_pods(small_fleet: FleetSummary) -> dict[tuple[str, str, str], dict[str, object]]:
    """(cluster, namespace, pod) -> its workload and the stamps (hour ends) it has rows in."""
    usage = pq.read_table(small_fleet.out / "usage" / "usage_samples.parquet").to_pylist()
    out: dict[tuple[str, str, str], dict[str, object]] = {}
    for row in usage:
        pod = out.setdefault(
            (row["cluster"], row["namespace"], row["pod"]),
            {"kind": row["workload_kind"], "name": row["workload_name"], "stamps": set()},
        )
        assert (pod["kind"], pod["name"]) == (row["workload_kind"], row["workload_name"])
        stamps = pod["stamps"]
        assert isinstance(stamps, set)
        stamps.add(int(row["hour"].timestamp()) + 3600)
    return out


def test_every_pod_of_a_deployment_reaches_it_through_its_replicaset(
    parsed: Parsed, usage_pods: dict[tuple[str, str, str], dict[str, object]]
) -> None:
    """KRR's and kube-prometheus' walk: pod -> controlling owner -> (ReplicaSet ->
    Deployment), in exactly the hours the pod has usage rows."""
    replicasets = {
        (labels["cluster"], labels["namespace"], labels["replicaset"]): (
            labels["owner_kind"],
            labels["owner_name"],
        )
        for labels, _ in series(parsed, "kube_replicaset_owner")
        if labels["owner_is_controller"] == "true"
    }
    owned: dict[tuple[str, str, str], tuple[str, str]] = {}
    stamps: dict[tuple[str, str, str], set[int]] = {}
    for labels, samples in series(parsed, "kube_pod_owner"):
        assert labels["owner_is_controller"] == "true"
        key = (labels["cluster"], labels["namespace"], labels["pod"])
        kind, name = labels["owner_kind"], labels["owner_name"]
        if kind == "ReplicaSet":
            assert name.startswith(key[2].rsplit("-", 1)[0])  # <replicaset>-<suffix>
            kind, name = replicasets[(key[0], key[1], name)]
        owned[key] = (kind, name)
        stamps[key] = set(samples)
        assert set(samples.values()) == {1.0}
    jobs = {key for key, (kind, _) in owned.items() if kind == "Job"}
    assert owned.keys() - jobs == usage_pods.keys()
    kinds = Counter(kind for kind, _ in owned.values())
    assert kinds["Deployment"] > 30, kinds
    assert kinds["StatefulSet"] >= 4, kinds
    for key, pod in usage_pods.items():
        assert owned[key] == (pod["kind"], pod["name"]), key
        assert stamps[key] == pod["stamps"], key


def test_pods_owners_and_containers_are_the_inventorys(
    parsed: Parsed, kubectl: Kubectl, small_fleet: FleetSummary
) -> None:
    """For each pod kubectl lists: the same uid, owner, image, image digest and container id
    (kube-state-metrics copies them from the pod's status)."""
    pods = kubectl(small_fleet.out, "pods")
    assert len(pods) > 40
    end = small_fleet.spec.start_epoch + small_fleet.spec.hours * 3600
    for pod in pods:
        meta, cluster = pod["metadata"], pod["_cluster"]
        where = {"cluster": cluster, "namespace": meta["namespace"], "pod": meta["name"]}
        (reference,) = meta["ownerReferences"]
        owner = only(parsed, "kube_pod_owner", **where, uid=meta["uid"])
        assert (
            only(
                parsed,
                "kube_pod_owner",
                **where,
                owner_kind=reference["kind"],
                owner_name=reference["name"],
            )
            == owner
        )
        assert max(owner) == end  # kubectl lists the pods at the end of the window
        phase = only(parsed, "kube_pod_status_phase", **where, phase=pod["status"]["phase"])
        assert phase[end] == 1
        for status in pod["status"].get("containerStatuses", []):
            info = only(
                parsed,
                "kube_pod_container_info",
                **where,
                container=status["name"],
                image=status["image"],
                image_id=status["imageID"],
                container_id=status["containerID"],
            )
            assert max(info) == end
    assert {p["status"]["phase"] for p in pods} == {"Running", "Succeeded"}


def test_five_phase_series_per_pod_and_hour_one_of_them_set(parsed: Parsed) -> None:
    per_pod: dict[tuple[str, ...], dict[int, dict[str, float]]] = defaultdict(dict)
    for labels, samples in series(parsed, "kube_pod_status_phase"):
        key = (labels["cluster"], labels["namespace"], labels["pod"], labels["uid"])
        for ts, value in samples.items():
            per_pod[key].setdefault(ts, {})[labels["phase"]] = value
    owners = {
        (labels["cluster"], labels["namespace"], labels["pod"], labels["uid"]): (
            labels["owner_kind"],
            set(samples),
        )
        for labels, samples in series(parsed, "kube_pod_owner")
    }
    assert per_pod.keys() == owners.keys()
    for key, hours in per_pod.items():
        kind, stamps = owners[key]
        assert set(hours) == stamps
        for phases in hours.values():
            assert set(phases) == PHASES
            (on,) = [phase for phase, value in phases.items() if value == 1]
            assert sum(phases.values()) == 1
            assert on == ("Succeeded" if kind == "Job" else "Running")


def test_the_collector_cronjob_runs_a_job_each_hour(
    parsed: Parsed, kubectl: Kubectl, small_fleet: FleetSummary
) -> None:
    """kube_job_owner ties each hour's Job to the CronJob the inventory lists; the Job of the
    last hour is the one whose Succeeded pod kubectl shows."""
    cronjobs = {
        (c["_cluster"], c["metadata"]["namespace"], c["metadata"]["name"])
        for c in kubectl(small_fleet.out, "cronjobs")
    }
    per_cluster: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for labels, samples in series(parsed, "kube_job_owner"):
        cronjob = (labels["cluster"], labels["namespace"], labels["owner_name"])
        assert labels["owner_kind"] == "CronJob"
        assert cronjob in cronjobs
        (stamp,) = samples
        per_cluster[cronjob].append(stamp)
        pod_owner = [
            s
            for pod_labels, s in series(parsed, "kube_pod_owner")
            if pod_labels["owner_kind"] == "Job"
            and pod_labels["owner_name"] == labels["job_name"]
            and pod_labels["cluster"] == labels["cluster"]
        ]
        assert pod_owner == [{stamp: 1.0}]
    assert per_cluster.keys() == cronjobs
    hours = small_fleet.spec.hours
    start = small_fleet.spec.start_epoch
    for stamps in per_cluster.values():
        assert sorted(stamps) == [start + (h + 1) * 3600 for h in range(hours)]
    succeeded = [p for p in kubectl(small_fleet.out, "pods") if p["status"]["phase"] == "Succeeded"]
    assert len(succeeded) == len(cronjobs)
    for pod in succeeded:
        (job,) = pod["metadata"]["ownerReferences"]
        owner = only(parsed, "kube_job_owner", cluster=pod["_cluster"], job_name=job["name"])
        assert list(owner) == [start + hours * 3600]


def test_hpa_series_are_the_inventorys_autoscalers(
    parsed: Parsed, kubectl: Kubectl, small_fleet: FleetSummary
) -> None:
    hpas = kubectl(small_fleet.out, "horizontalpodautoscalers")
    assert hpas
    prefix = "kube_horizontalpodautoscaler_"
    assert len(parsed[f"{prefix}spec_max_replicas"]) == len(hpas)
    every = {small_fleet.spec.start_epoch + (h + 1) * 3600 for h in range(small_fleet.spec.hours)}
    for hpa in hpas:
        where = {
            "cluster": hpa["_cluster"],
            "namespace": hpa["metadata"]["namespace"],
            "horizontalpodautoscaler": hpa["metadata"]["name"],
        }
        spec, status = hpa["spec"], hpa["status"]
        expected = {
            "spec_max_replicas": spec["maxReplicas"],
            "spec_min_replicas": spec["minReplicas"],
            "status_current_replicas": status["currentReplicas"],
            "status_desired_replicas": status["desiredReplicas"],
        }
        for name, value in expected.items():
            samples = only(parsed, prefix + name, **where)
            assert set(samples) == every
            assert samples[max(samples)] == value, name
        (target,) = spec["metrics"]
        utilization = only(
            parsed,
            f"{prefix}spec_target_metric",
            **where,
            metric_name=target["resource"]["name"],
            metric_target_type="utilization",
        )
        assert set(utilization.values()) == {target["resource"]["target"]["averageUtilization"]}


def test_machine_cores_and_memory_are_each_nodes_capacity(
    parsed: Parsed, kubectl: Kubectl, small_fleet: FleetSummary
) -> None:
    nodes = kubectl(small_fleet.out, "nodes")
    assert len(parsed["machine_cpu_cores"]) == len(parsed["machine_memory_bytes"]) == len(nodes)
    hours = small_fleet.spec.hours
    for node in nodes:
        where = {"cluster": node["_cluster"], "node": node["metadata"]["name"]}
        capacity = node["status"]["capacity"]
        cores = only(parsed, "machine_cpu_cores", **where)
        memory = only(parsed, "machine_memory_bytes", **where)
        assert len(cores) == len(memory) == hours
        assert set(cores.values()) == {float(cpu_cores(capacity["cpu"]))}
        assert set(memory.values()) == {float(memory_bytes(capacity["memory"]))}
        kube = only(parsed, "kube_node_status_capacity", **where, resource="memory")
        assert kube == memory


def test_the_cluster_label_tells_same_named_pods_apart(
    parsed: Parsed, usage_pods: dict[tuple[str, str, str], dict[str, object]]
) -> None:
    """Both clusters run monitoring/prometheus-k8s-0: without `cluster` their series would
    be one; every series' cluster is the cluster its pod's usage rows are in."""
    names = Counter((namespace, pod) for _, namespace, pod in usage_pods)
    shared = {key for key, count in names.items() if count > 1}
    assert ("monitoring", "prometheus-k8s-0") in shared
    for name in ("container_cpu_usage_seconds_total", "kube_pod_owner"):
        keys = [
            (labels["cluster"], labels["namespace"], labels["pod"])
            for labels, _ in series(parsed, name)
            if labels["namespace"] != "costplane"
        ]
        assert set(keys) == usage_pods.keys()
    every = [dict(labels) for family in parsed.values() for labels in family]
    assert all(labels["cluster"] in {"eu-shared-1", "eu-dedicated-1"} for labels in every)
