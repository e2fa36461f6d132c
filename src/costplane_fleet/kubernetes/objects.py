"""What every Kubernetes object shares: metadata, quantities, owner references, and the
kubectl lists they are collected into.

Names, uids and resource versions are digests of what the object is, so the same fleet
gives the same objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from costplane_fleet.streams import digest_hex, object_uid
from costplane_fleet.workloads import GI, MI

Obj = dict[str, Any]
NODE_POOL_LABEL = "nimbus.cloud/node-pool"


def octet(*parts: object) -> int:
    """A stable 0-255 number for an address from the parts it belongs to."""
    return int(digest_hex(*parts, length=2), 16)


def ts(t: dt.datetime) -> str:
    return t.replace(microsecond=0).isoformat() + "Z"


def cpu_quantity(millicores: int) -> str:
    return f"{millicores // 1000}" if millicores % 1000 == 0 else f"{millicores}m"


def memory_quantity(nbytes: int) -> str:
    if nbytes % GI == 0:
        return f"{nbytes // GI}Gi"
    if nbytes % MI == 0:
        return f"{nbytes // MI}Mi"
    return f"{-(-nbytes // 1024)}Ki"


def meta(
    cluster: str,
    kind: str,
    name: str,
    created: dt.datetime,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    owner: Obj | None = None,
) -> Obj:
    m: Obj = {}
    if annotations:
        m["annotations"] = annotations
    m["creationTimestamp"] = ts(created)
    if labels:
        m["labels"] = labels
    m["name"] = name
    if namespace is not None:
        m["namespace"] = namespace
    if owner is not None:
        m["ownerReferences"] = [owner]
    m["resourceVersion"] = str(
        int(digest_hex("rv", cluster, kind, namespace, name, length=8), 16) % 90_000_000 + 1_000_000
    )
    m["uid"] = object_uid(cluster, kind, namespace, name)
    return m


def uid_of(cluster: str, kind: str, namespace: str | None, name: str) -> str:
    return object_uid(cluster, kind, namespace, name)


def owner_ref(api: str, kind: str, name: str, uid: str) -> Obj:
    return {
        "apiVersion": api,
        "blockOwnerDeletion": True,
        "controller": True,
        "kind": kind,
        "name": name,
        "uid": uid,
    }


class Inventory:
    """Accumulates the kubectl lists of both clusters."""

    def __init__(self) -> None:
        self.lists: dict[str, dict[str, list[Obj]]] = {}

    def add(self, cluster: str, resource: str, obj: Obj) -> None:
        self.lists.setdefault(cluster, {}).setdefault(resource, []).append(obj)


RESOURCES = (
    "namespaces",
    "nodes",
    "pods",
    "deployments",
    "statefulsets",
    "cronjobs",
    "persistentvolumeclaims",
    "persistentvolumes",
    "storageclasses",
    "volumesnapshots",
    "resourcequotas",
    "limitranges",
    "horizontalpodautoscalers",
    "services",
    "ingressroutes",
    "middlewares",
    "sleepinfos",
)


def kubectl_list(items: Iterable[Obj]) -> Obj:
    return {
        "apiVersion": "v1",
        "items": list(items),
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }
