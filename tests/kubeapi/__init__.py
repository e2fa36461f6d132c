"""A loopback Kubernetes API server for tests, and a kubeconfig pointing at it.

Usage: import the fixture in your conftest.py (`from tests.kubeapi import kube_api  #
noqa: F401`), then in a test:

    def test_something(kube_api, tmp_path):
        server = kube_api([namespace, deployment], forbidden={"pods"})
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server)
        ...  # the official client, loaded from `kubeconfig`, talks to `server.url`
        assert server.requests_for("PATCH")[0].content_type == "application/merge-patch+json"

`kube_api(objects, **switches)` starts a `KubeAPIServer` (see server.py for what it
serves and the switches: token, forbidden, unserved, expire_continue, fail_next,
delay_seconds) and stops it when the test ends. Any kind can be stored; `serve_kinds`
makes empty lists answer (not 404) for kinds that have no object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.kubeapi.patch import json_patch, merge_patch
from tests.kubeapi.server import KubeAPIServer, RecordedRequest

__all__ = [
    "BUILT_IN_KINDS",
    "KubeAPIServer",
    "RecordedRequest",
    "json_patch",
    "kube_api",
    "merge_patch",
    "write_kubeconfig",
]

BUILT_IN_KINDS: tuple[tuple[str, str], ...] = (
    ("v1", "Namespace"),
    ("v1", "Pod"),
    ("v1", "Node"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "PersistentVolume"),
    ("v1", "ResourceQuota"),
    ("v1", "LimitRange"),
    ("v1", "Service"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("batch/v1", "CronJob"),
    ("batch/v1", "Job"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("networking.k8s.io/v1", "Ingress"),
)
"""Kinds every real cluster serves: answered with an empty list when no object is stored."""

KubeAPIFactory = Callable[..., KubeAPIServer]


@pytest.fixture
def kube_api() -> Iterator[KubeAPIFactory]:
    """A factory: `kube_api(objects, *, serve_kinds=BUILT_IN_KINDS, **switches)`."""
    started: list[KubeAPIServer] = []

    def start(
        objects: Iterable[Mapping[str, Any]] = (),
        *,
        serve_kinds: Iterable[tuple[str, str]] = BUILT_IN_KINDS,
        **switches: Any,
    ) -> KubeAPIServer:
        server = KubeAPIServer(**switches)
        for api_version, kind in serve_kinds:
            server.serve_kind(api_version, kind)
        server.add(objects)
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.stop()


def write_kubeconfig(
    path: Path,
    server: KubeAPIServer,
    *,
    token: str | None = None,
    context: str = "test",
    cluster: str = "test-cluster",
) -> Path:
    """A kubeconfig with one context whose user authenticates by bearer token."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster, "cluster": {"server": server.url}}],
        "users": [{"name": "costplane", "user": {"token": token or server.token}}],
        "contexts": [
            {"name": context, "context": {"cluster": cluster, "user": "costplane"}},
        ],
        "current-context": context,
        "preferences": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as stream:
        YAML(typ="safe", pure=True).dump(document, stream)
    return path
