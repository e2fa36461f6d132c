"""deploy/kubernetes/base/rbac.yaml grants exactly what the collector reads: get, list, watch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from costplane.kubernetes_kinds import KINDS, VERBS
from costplane.sources.kubernetes import collect_live
from tests.kubeapi import BUILT_IN_KINDS
from tests.sources.kubernetes.conftest import CUSTOM_KINDS, LABELS, cluster_objects

RBAC = Path(__file__).resolve().parents[3] / "deploy" / "kubernetes" / "base" / "rbac.yaml"


def documents() -> dict[str, Any]:
    return {d["kind"]: d for d in YAML(typ="safe", pure=True).load_all(RBAC.read_text()) if d}


def granted() -> set[tuple[str, str, str]]:
    """(API group, resource, verb) for every grant of the ClusterRole."""
    return {
        (group, resource, verb)
        for rule in documents()["ClusterRole"]["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }


def test_the_role_grants_read_verbs_on_exactly_the_collectors_kinds() -> None:
    expected = {(kind.group, kind.plural, verb) for kind in KINDS for verb in VERBS}
    assert granted() == expected
    assert VERBS == ("get", "list", "watch")
    assert not any("*" in part for grant in granted() for part in grant)
    assert ("", "secrets", "get") not in granted()


def test_the_role_is_bound_to_the_service_account() -> None:
    found = documents()
    assert set(found) == {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"}
    account = found["ServiceAccount"]["metadata"]
    binding = found["ClusterRoleBinding"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": found["ClusterRole"]["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["name"], "namespace": account["namespace"]}
    ]
    assert account["namespace"] == found["Namespace"]["metadata"]["name"]


def test_what_the_collector_lists_on_a_cluster_is_what_the_role_grants(
    kube_api, kubeconfig_for
) -> None:
    server = kube_api(cluster_objects(), serve_kinds=(*BUILT_IN_KINDS, *CUSTOM_KINDS))
    collected = collect_live(LABELS, kubeconfig=kubeconfig_for(server))
    assert collected.missing == ()

    listed = set()
    for request in server.requests:
        assert request.method == "GET"  # the collector never writes
        parts = request.path.strip("/").split("/")
        group = "" if parts[0] == "api" else parts[1]
        listed.add((group, parts[-1], "list"))
    assert listed == {grant for grant in granted() if grant[2] == "list"}
