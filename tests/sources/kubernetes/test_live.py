"""The live path: the official client against a loopback API server (tests/kubeapi)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from costplane import retries
from costplane.errors import InputError, ServiceUnavailableError
from costplane.kubernetes_kinds import KINDS
from costplane.sources.kubernetes import collect_live, live
from tests.kubeapi import BUILT_IN_KINDS
from tests.sources.kubernetes.conftest import CUSTOM_KINDS, LABELS, cluster_objects, pod

ALL_KINDS = (*BUILT_IN_KINDS, *CUSTOM_KINDS)


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    slept: list[float] = []
    monkeypatch.setattr(retries, "sleep", slept.append)
    return slept


def stored(collected: Any) -> list[dict[str, Any]]:
    """The rows of the inventory load (the other holds them as columns), as dicts."""
    load, _ = collected.loads
    rows: list[dict[str, Any]] = load.data.to_pylist()
    return rows


def pod_lists(server: Any) -> list[Any]:
    return [r for r in server.requests if r.method == "GET" and r.path == "/api/v1/pods"]


def test_every_kind_is_read_as_camel_case_json_with_tenants(kube_api, kubeconfig_for) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS)
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    assert collected.missing == ()
    assert collected.summary["cluster"] == "shared-eu-1"  # the kubeconfig context's cluster
    rows = stored(collected)
    kinds = Counter(row["kind"] for row in rows)
    assert kinds == {
        "Namespace": 3,
        "Node": 3,
        "Pod": 6,
        "Deployment": 2,
        "PersistentVolumeClaim": 2,
        "Service": 2,  # the two load balancers; the ClusterIP Service is not kept
        "StorageClass": 1,
        "IngressRoute": 2,
        "Middleware": 2,
        "Backup": 1,
        "BackupStorageLocation": 1,
    }
    assert collected.summary["kinds"]["Service"] == 2
    assert collected.summary["kinds"]["VolumeSnapshot"] == 0  # served, and empty
    assert collected.summary["tenants"] == ["baltic-foods", "kontor-buero"]

    pods = [json.loads(r["object"]) for r in rows if r["kind"] == "Pod"]
    first = pods[0]
    assert first["apiVersion"] == "v1"
    assert first["kind"] == "Pod"
    assert first["spec"]["nodeName"].startswith("ip-10-0-")
    assert first["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    assert first["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "1",
        "memory": "2Gi",
    }
    assert "node_name" not in json.dumps(first)  # raw JSON, not the client's snake_case

    by_name = {(r["kind"], r["namespace"], r["name"]): r for r in rows}
    sftp = by_name[("Service", "baltic-foods-prod", "edi-sftp")]
    assert (sftp["tenant"], sftp["environment"], sftp["service_class"]) == (
        "baltic-foods",
        "production",
        "shared-plus",
    )
    assert by_name[("Service", "traefik", "traefik")]["tenant"] is None
    node = json.loads(by_name[("Node", None, "ip-10-0-3-13")]["object"])
    assert node["spec"]["providerID"].startswith("aws:///eu-central-1c/")
    assert node["status"]["allocatable"]["cpu"] == "3920m"
    route = json.loads(by_name[("IngressRoute", "kontor-buero-prod", "odoo")]["object"])
    assert route["apiVersion"] == "traefik.io/v1alpha1"
    assert route["spec"]["routes"][0]["middlewares"] == [{"name": "odoo-ratelimit"}]


def test_velero_backups_are_read_with_their_storage_location(kube_api, kubeconfig_for) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS)
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    paths = {r.path for r in server.requests}
    assert "/apis/velero.io/v1/backupstoragelocations" in paths
    assert collected.summary["kinds"]["BackupStorageLocation"] == 1
    by_name = {(r["kind"], r["namespace"], r["name"]): r for r in stored(collected)}
    row = by_name[("BackupStorageLocation", "velero", "default")]
    assert (row["api_version"], row["tenant"]) == ("velero.io/v1", None)
    location = json.loads(row["object"])
    assert location["spec"]["objectStorage"] == {
        "bucket": "velero-shared-eu-1",
        "prefix": "shared-eu-1",
    }
    assert location["spec"]["config"]["region"] == "eu-central-1"
    assert ("Backup", "velero", "baltic-foods-prod-20250105") in by_name


def test_pods_are_read_in_pages_of_the_limit(kube_api, kubeconfig_for) -> None:
    many = [pod("baltic-foods-prod", f"worker-{i:05d}", "ip-10-0-1-11") for i in range(1234)]
    server = kube_api(cluster_objects(0) + many, serve_kinds=ALL_KINDS)
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    names = [r["name"] for r in stored(collected) if r["kind"] == "Pod"]
    assert len(names) == len(set(names)) == 1234
    requests = pod_lists(server)
    assert [r.query["limit"] for r in requests] == [["500"]] * 3
    assert "continue" not in requests[0].query
    assert all("continue" in r.query for r in requests[1:])
    assert collected.summary["kinds"]["Pod"] == 1234


def test_an_expired_continue_token_restarts_the_list(kube_api, kubeconfig_for) -> None:
    many = [pod("baltic-foods-prod", f"worker-{i:05d}", "ip-10-0-1-11") for i in range(1100)]
    server = kube_api(many, serve_kinds=ALL_KINDS, expire_continue=1)
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    names = [r["name"] for r in stored(collected) if r["kind"] == "Pod"]
    assert len(names) == len(set(names)) == 1100  # nothing twice from the first attempt
    continued = ["continue" in r.query for r in pod_lists(server)]
    # first page, the 410 on page 2, then the whole list again from the start
    assert continued == [False, True, False, True, True]
    assert collected.missing == ()


def test_missing_traefik_and_velero_crds_are_skipped_and_reported(kube_api, kubeconfig_for) -> None:
    server = kube_api(
        cluster_objects(), serve_kinds=ALL_KINDS, unserved={"traefik.io", "velero.io"}
    )
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    assert collected.partial
    assert len(collected.missing) == 4
    assert all("not served" in m for m in collected.missing)
    assert sorted(collected.missing) == [
        "Backup (velero.io/v1): not served by the cluster (no CRD?)",
        "BackupStorageLocation (velero.io/v1): not served by the cluster (no CRD?)",
        "IngressRoute (traefik.io/v1alpha1): not served by the cluster (no CRD?)",
        "Middleware (traefik.io/v1alpha1): not served by the cluster (no CRD?)",
    ]
    kinds = {r["kind"] for r in stored(collected)}
    assert {"IngressRoute", "Middleware", "Backup", "BackupStorageLocation"}.isdisjoint(kinds)
    assert {"Pod", "Node", "Deployment"} <= kinds


def test_a_kind_denied_by_rbac_makes_the_run_partial(kube_api, kubeconfig_for) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, forbidden={"nodes"})
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    assert collected.missing == (
        "Node (v1): forbidden (403): grant list on nodes (deploy/kubernetes/base/rbac.yaml)",
    )
    kinds = Counter(r["kind"] for r in stored(collected))
    assert "Node" not in kinds
    assert kinds["Pod"] == 6


def test_refused_credentials_end_the_run_in_one_line(kube_api, kubeconfig_for) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS)
    kubeconfig = kubeconfig_for(server, token="expired-token-4f2a9c")

    with pytest.raises(ServiceUnavailableError) as raised:
        collect_live(LABELS, kubeconfig=kubeconfig)
    message = str(raised.value)
    assert message.startswith(f"cluster shared-eu-1 ({server.url}): unauthorized (401)")
    assert "namespaces" in message  # the kind it was listing
    assert "\n" not in message
    assert "expired-token-4f2a9c" not in message
    assert len(server.requests) == 1  # a 401 is not retried


def test_every_kind_denied_is_not_a_partial_run(kube_api, kubeconfig_for) -> None:
    denied = {kind.plural for kind in KINDS}
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, forbidden=denied)
    with pytest.raises(ServiceUnavailableError, match="could not read any kind"):
        collect_live(LABELS, kubeconfig=kubeconfig_for(server))


def test_a_flaky_server_is_retried_with_backoff(
    kube_api, kubeconfig_for, no_sleep: list[float]
) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, fail_next=[503, 429])
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))

    assert no_sleep == [0.5, 1.0]
    assert collected.summary["kinds"]["Namespace"] == 3
    assert collected.missing == ()


def test_a_server_that_keeps_failing_names_the_cluster_and_kind(kube_api, kubeconfig_for) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, fail_next=[500, 502, 503])
    with pytest.raises(ServiceUnavailableError) as raised:
        collect_live(LABELS, kubeconfig=kubeconfig_for(server))
    assert str(raised.value) == (
        f"cluster shared-eu-1 ({server.url}): listing namespaces: 503 Service Unavailable "
        "(after 3 attempts)"
    )


def test_an_unreachable_cluster_is_one_line_after_retries(
    kube_api, kubeconfig_for, no_sleep: list[float]
) -> None:
    server = kube_api()
    kubeconfig = kubeconfig_for(server)
    server.stop()  # nothing listens on its port any more

    with pytest.raises(ServiceUnavailableError) as raised:
        collect_live(LABELS, kubeconfig=kubeconfig, cluster="prod-eu")
    message = str(raised.value)
    assert message.startswith(f"cluster prod-eu ({server_url(kubeconfig)}): listing namespaces:")
    assert message.endswith("connection refused (after 3 attempts)")
    assert len(no_sleep) == 2


def test_a_server_that_does_not_answer_in_time_is_a_timeout(
    kube_api, kubeconfig_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "READ_TIMEOUT_SECONDS", 0.2)
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, delay_seconds=1.0)
    with pytest.raises(ServiceUnavailableError) as raised:
        collect_live(LABELS, kubeconfig=kubeconfig_for(server))
    assert str(raised.value) == (
        f"cluster shared-eu-1 ({server.url}): listing namespaces: timed out (after 3 attempts)"
    )
    assert len(server.requests) == 3


def server_url(kubeconfig: Path) -> str:
    from ruamel.yaml import YAML

    document = YAML(typ="safe", pure=True).load(kubeconfig.read_text())
    return str(document["clusters"][0]["cluster"]["server"])


def test_a_bad_kubeconfig_or_context_is_an_input_error(
    kube_api, kubeconfig_for, tmp_path: Path
) -> None:
    kubeconfig = kubeconfig_for(kube_api())
    with pytest.raises(InputError, match="kubeconfig"):
        collect_live(LABELS, kubeconfig=tmp_path / "nowhere")
    with pytest.raises(InputError, match="staging"):
        collect_live(LABELS, kubeconfig=kubeconfig, context="staging")
