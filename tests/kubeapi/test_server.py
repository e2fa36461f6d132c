"""The loopback API server answers the official client as a real one would (for live tests)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config

from tests.kubeapi import KubeAPIServer, write_kubeconfig

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "odoo",
        "namespace": "acme-staging",
        "labels": {"app": "odoo"},
        "annotations": {"note": "x"},
    },
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "odoo"}},
        "template": {
            "metadata": {"labels": {"app": "odoo"}},
            "spec": {"containers": [{"name": "odoo", "image": "odoo:18.0"}]},
        },
    },
}


@pytest.fixture
def api(kube_api, tmp_path: Path) -> tuple[KubeAPIServer, client.ApiClient]:
    server = kube_api([DEPLOYMENT])
    configuration = client.Configuration()
    config.load_kube_config(
        config_file=str(write_kubeconfig(tmp_path / "kubeconfig", server)),
        client_configuration=configuration,
        persist_config=False,
    )
    return server, client.ApiClient(configuration)


def send(server: KubeAPIServer, method: str, path: str, body: Any, content_type: str) -> Any:
    """A request as any client sends it (the content type chosen here, whatever the client)."""
    request = urllib.request.Request(
        server.url + path,
        data=json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"Bearer {server.token}", "Content-Type": content_type},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def test_a_merge_patch_changes_the_stored_object_and_is_recorded(api) -> None:
    server, _ = api
    before = server.get("Deployment", "odoo", "acme-staging")
    code, answer = send(
        server,
        "PATCH",
        "/apis/apps/v1/namespaces/acme-staging/deployments/odoo",
        {"metadata": {"annotations": {"note": None, "costplane.io/asleep": "true"}}},
        "application/merge-patch+json",
    )
    assert code == 200
    assert answer["metadata"]["annotations"] == {"costplane.io/asleep": "true"}
    assert int(answer["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    assert server.get("Deployment", "odoo", "acme-staging")["metadata"]["annotations"] == {
        "costplane.io/asleep": "true"
    }
    (patch,) = server.requests_for("PATCH")
    assert patch.path == "/apis/apps/v1/namespaces/acme-staging/deployments/odoo"
    assert patch.content_type == "application/merge-patch+json"
    assert patch.body == {
        "metadata": {"annotations": {"note": None, "costplane.io/asleep": "true"}}
    }


def test_the_clients_default_patch_and_a_json_patch_on_scale(api) -> None:
    server, api_client = api
    apps = client.AppsV1Api(api_client)
    assert (
        apps.patch_namespaced_deployment(
            "odoo", "acme-staging", {"spec": {"replicas": 0}}
        ).spec.replicas
        == 0
    )
    scale = apps.patch_namespaced_deployment_scale(
        "odoo", "acme-staging", [{"op": "replace", "path": "/spec/replicas", "value": 3}]
    )
    assert scale.spec.replicas == 3
    assert server.get("Deployment", "odoo", "acme-staging")["spec"]["replicas"] == 3
    assert [r.content_type for r in server.requests_for("PATCH")] == [
        "application/strategic-merge-patch+json",
        "application/json-patch+json",
    ]


def test_get_delete_and_their_errors(api) -> None:
    server, api_client = api
    apps = client.AppsV1Api(api_client)
    assert apps.read_namespaced_deployment("odoo", "acme-staging").spec.replicas == 2
    with pytest.raises(client.ApiException) as missing:
        apps.read_namespaced_deployment("nope", "acme-staging")
    assert missing.value.status == 404
    assert json.loads(missing.value.body)["message"] == 'deployments.apps "nope" not found'

    apps.delete_namespaced_deployment("odoo", "acme-staging")
    assert server.get("Deployment", "odoo", "acme-staging") is None
    assert server.requests_for("DELETE")[0].path.endswith("/deployments/odoo")


def test_a_failed_json_patch_test_and_an_unknown_patch_type(api) -> None:
    server, api_client = api
    apps = client.AppsV1Api(api_client)
    with pytest.raises(client.ApiException) as failed:
        apps.patch_namespaced_deployment(
            "odoo", "acme-staging", [{"op": "test", "path": "/spec/replicas", "value": 5}]
        )
    assert failed.value.status == 422
    code, status = send(
        server,
        "PATCH",
        "/apis/apps/v1/namespaces/acme-staging/deployments/odoo",
        {"spec": {}},
        "application/apply-patch+yaml",
    )
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")
    assert server.get("Deployment", "odoo", "acme-staging")["spec"]["replicas"] == 2
