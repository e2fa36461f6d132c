"""The small tables the allocation joins against, read from the inventory and the catalog.

Kubernetes objects are kept whole as JSON in `inventory_snapshots`; the few
facts the cost model needs from them (a node's providerID, capacity and pool; a
volume's or load balancer's resource id and namespace; a namespace's tenant) are
read here, in Python, from the latest snapshot of each object. They are small
(one row per node, volume, service, namespace) while usage and bill stay in the
engine, so this costs nothing at scale and keeps the big expressions simple.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa

from costplane.catalog import Catalog
from costplane.quantity import GIB, cpu_cores, memory_bytes
from costplane.warehouse import Warehouse

NODE_POOL_LABEL_SUFFIXES = ("node-pool", "nodepool", "nodegroup", "agentpool")
"""Node labels naming the node pool (EKS nodegroup, GKE nodepool, AKS agentpool, Karpenter...)."""

KINDS = ("Node", "PersistentVolume", "Service", "Namespace")

NODES = pa.schema(
    [
        ("cluster", pa.string()),
        ("node", pa.string()),
        ("provider_id", pa.string()),
        ("node_pool", pa.string()),
        ("cpu_cores", pa.float64()),
        ("memory_gib", pa.float64()),
    ]
)
ENDPOINTS = pa.schema(
    [("resource_id", pa.string()), ("cluster", pa.string()), ("namespace", pa.string())]
)
VOLUMES = pa.schema(
    [
        ("resource_id", pa.string()),
        ("cluster", pa.string()),
        ("namespace", pa.string()),
        ("capacity_gib", pa.float64()),
        ("storage_class", pa.string()),
    ]
)
NAMESPACES = pa.schema(
    [
        ("cluster", pa.string()),
        ("namespace", pa.string()),
        ("tenant", pa.string()),
        ("environment", pa.string()),
        ("service_class", pa.string()),
        ("role", pa.string()),
        ("platform_domain", pa.string()),
    ]
)
TENANTS = pa.schema([("tenant", pa.string()), ("service_class", pa.string())])


@dataclass(frozen=True)
class Dimensions:
    nodes: pa.Table
    endpoints: pa.Table
    volumes: pa.Table
    namespaces: pa.Table
    tenants: pa.Table


def read_dimensions(warehouse: Warehouse, catalog: Catalog) -> Dimensions:
    objects = latest_objects(warehouse)
    clusters = sorted({cluster for cluster, _ in objects})
    nodes = [node_row(cluster, o) for cluster, o in objects if o.get("kind") == "Node"]
    endpoints = [row for cluster, o in objects for row in endpoint_rows(cluster, o)]
    volumes = [volume_row(cluster, o) for cluster, o in objects if _bound_volume(o)]
    namespaces = namespace_rows(objects, clusters, catalog)
    tenants = [{"tenant": t.id, "service_class": t.service_class} for t in catalog.tenants]
    return Dimensions(
        nodes=pa.Table.from_pylist(nodes, NODES),
        endpoints=pa.Table.from_pylist(endpoints, ENDPOINTS),
        volumes=pa.Table.from_pylist(volumes, VOLUMES),
        namespaces=pa.Table.from_pylist(namespaces, NAMESPACES),
        tenants=pa.Table.from_pylist(tenants, TENANTS),
    )


def latest_objects(warehouse: Warehouse) -> list[tuple[str, dict[str, Any]]]:
    """(cluster, object) for the latest snapshot of each object of the kinds needed."""
    inventory = warehouse.table("inventory_snapshots")
    wanted = inventory.filter(inventory.kind.isin(KINDS))
    newest = ibis.row_number().over(
        group_by=[wanted.cluster, wanted.kind, wanted.namespace, wanted.name],
        order_by=ibis.desc(wanted.taken_at),
    )
    latest = wanted.mutate(rank=newest).filter(ibis._.rank == 0)
    rows = latest.select("cluster", "object").order_by("cluster", "object").to_pyarrow()
    return [
        (cluster, json.loads(text))
        for cluster, text in zip(
            rows["cluster"].to_pylist(), rows["object"].to_pylist(), strict=True
        )
    ]


def node_row(cluster: str, node: Mapping[str, Any]) -> dict[str, Any]:
    metadata, spec, status = node["metadata"], node.get("spec", {}), node.get("status", {})
    capacity = status.get("capacity", {})
    return {
        "cluster": cluster,
        "node": metadata["name"],
        "provider_id": spec.get("providerID"),
        "node_pool": node_pool(metadata.get("labels") or {}),
        "cpu_cores": float(cpu_cores(capacity.get("cpu", 0))),
        "memory_gib": memory_bytes(capacity.get("memory", 0)) / GIB,
    }


def node_pool(labels: Mapping[str, str]) -> str | None:
    for key, value in sorted(labels.items()):
        if key.rsplit("/", 1)[-1].endswith(NODE_POOL_LABEL_SUFFIXES):
            return value
    return None


def endpoint_rows(cluster: str, obj: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    """Billed resource ids that belong to a namespace: volumes and load balancers."""
    if obj.get("kind") == "PersistentVolume":
        claim = obj.get("spec", {}).get("claimRef") or {}
        if claim.get("namespace"):
            for resource_id in volume_ids(obj):
                yield {
                    "resource_id": resource_id,
                    "cluster": cluster,
                    "namespace": claim["namespace"],
                }
    elif obj.get("kind") == "Service" and obj.get("spec", {}).get("type") == "LoadBalancer":
        ingress = (obj.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
        for point in ingress:
            for resource_id in (point.get("hostname"), point.get("ip")):
                if resource_id:
                    yield {
                        "resource_id": resource_id,
                        "cluster": cluster,
                        "namespace": obj["metadata"]["namespace"],
                    }


def _bound_volume(obj: Mapping[str, Any]) -> bool:
    claim = obj.get("spec", {}).get("claimRef") or {}
    return obj.get("kind") == "PersistentVolume" and bool(claim.get("namespace"))


def volume_row(cluster: str, pv: Mapping[str, Any]) -> dict[str, Any]:
    """A volume as the price sheet prices it when no bill does: capacity and class."""
    spec = pv["spec"]
    return {
        "resource_id": volume_ids(pv)[0],
        "cluster": cluster,
        "namespace": spec["claimRef"]["namespace"],
        "capacity_gib": memory_bytes((spec.get("capacity") or {}).get("storage", 0)) / GIB,
        "storage_class": spec.get("storageClassName"),
    }


def volume_ids(pv: Mapping[str, Any]) -> list[str]:
    """The ids a provider may bill a volume under: the CSI handle, the in-tree ids, its name."""
    spec = pv.get("spec", {})
    ids = [
        (spec.get("csi") or {}).get("volumeHandle"),
        (spec.get("awsElasticBlockStore") or {}).get("volumeID"),
        (spec.get("gcePersistentDisk") or {}).get("pdName"),
        (spec.get("azureDisk") or {}).get("diskURI"),
        pv["metadata"]["name"],
    ]
    return list(dict.fromkeys(i for i in ids if i))


def namespace_rows(
    objects: list[tuple[str, dict[str, Any]]], clusters: list[str], catalog: Catalog
) -> list[dict[str, Any]]:
    """Each namespace's tenant and role: labels first, then the catalog, else nothing."""
    labels = catalog.labels
    rules = catalog.allocation
    platform = {ns: domain for domain, names in rules.platform_namespaces.items() for ns in names}
    shared_names = set(rules.shared_namespaces)
    by_catalog = catalog_namespaces(catalog)
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for cluster in clusters:  # the catalog's namespaces, wherever they turn up
        for name, row in by_catalog.items():
            rows[cluster, name] = {"cluster": cluster, "namespace": name, **row}
    for cluster, obj in objects:
        if obj.get("kind") != "Namespace":
            continue
        name = obj["metadata"]["name"]
        own = obj["metadata"].get("labels") or {}
        if own.get(labels.shared) == "true" or name in shared_names or name in platform:
            domain = platform.get(name)
            rows[cluster, name] = _row(cluster, name, role="platform" if domain else "shared")
            rows[cluster, name]["platform_domain"] = domain.value if domain else None
        elif own.get(labels.tenant):
            rows[cluster, name] = _row(
                cluster,
                name,
                role="tenant",
                tenant=own[labels.tenant],
                environment=own.get(labels.environment),
                service_class=own.get(labels.service_class),
            )
    return [rows[key] for key in sorted(rows)]


def catalog_namespaces(catalog: Catalog) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "tenant": tenant.id,
            "environment": kind.value,
            "service_class": tenant.service_class,
            "role": "tenant",
            "platform_domain": None,
        }
        for tenant in catalog.tenants
        for kind, environment in tenant.environments.items()
        for name in environment.namespaces
    }


def _row(cluster: str, name: str, *, role: str, **values: str | None) -> dict[str, Any]:
    return {
        "cluster": cluster,
        "namespace": name,
        "tenant": values.get("tenant"),
        "environment": values.get("environment"),
        "service_class": values.get("service_class"),
        "role": role,
        "platform_domain": None,
    }
