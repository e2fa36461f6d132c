"""The Kubernetes inventory a governance run judges: the warehouse's latest snapshot of each
cluster, or a directory of manifests (the GitOps pull-request check).

Every object gets a `ResourceRef` whose tenant, environment and class are resolved
as allocation resolves them (`ownership.py`), so catalog entitlements reach objects
in namespaces the catalog lists without labels. A policy judging several kinds
alike lists them (`resource: [Deployment, StatefulSet, CronJob]`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from costplane.governance.inventory import Inventory, ResourceRef
from costplane.governance.ownership import Ownership
from costplane.sources.manifests import manifest_files, read_objects
from costplane.warehouse import Warehouse

Located = tuple[str | None, dict[str, Any]]
"""(cluster, object)."""


def objects_inventory(objects: Iterable[Located], ownership: Ownership) -> Inventory:
    """An inventory of Kubernetes objects with owners resolved."""
    found = list(objects)
    for cluster, obj in found:
        if obj.get("kind") == "Namespace":
            ownership.add_namespace(cluster, obj)
    by_kind: dict[str, list[Located]] = defaultdict(list)
    for cluster, obj in found:
        kind = obj.get("kind")
        if isinstance(kind, str) and isinstance(obj.get("metadata"), dict):
            by_kind[kind].append((cluster, obj))
    inventory = Inventory()
    refs_by_kind = {
        kind: [ref_of(c, o, ownership) for c, o in items] for kind, items in by_kind.items()
    }
    for kind in sorted(by_kind):
        inventory.add(kind, [o for _, o in by_kind[kind]], refs_by_kind[kind])
    return inventory


def ref_of(cluster: str | None, obj: Mapping[str, Any], ownership: Ownership) -> ResourceRef:
    metadata = obj["metadata"]
    owner = ownership.of(cluster, obj)
    namespace = metadata.get("namespace")
    return ResourceRef(
        kind=str(obj["kind"]),
        name=str(metadata.get("name") or ""),
        namespace=namespace if isinstance(namespace, str) else None,
        cluster=cluster,
        tenant=owner.tenant,
        environment=owner.environment,
        service_class=owner.service_class,
    )


def manifests_inventory(directory: Path, ownership: Ownership) -> Inventory:
    """Objects from YAML and JSON files under `directory` (no cluster)."""
    objects = [(None, obj) for path in manifest_files(directory) for obj in read_objects(path)]
    return objects_inventory(objects, ownership)


def latest_snapshots(
    warehouse: Warehouse, at: dt.datetime | None = None
) -> tuple[list[Located], dt.datetime | None]:
    """Every object of each cluster's newest snapshot (taken at or before `at`, naive UTC),
    and the newest instant among them: the moment the run judges."""
    snapshots = warehouse.table("inventory_snapshots")
    if at is not None:
        snapshots = snapshots.filter(snapshots.taken_at <= at)
    newest = snapshots.group_by("cluster").aggregate(newest=snapshots.taken_at.max())
    rows = snapshots.join(
        newest,
        [snapshots.cluster == newest.cluster, snapshots.taken_at == newest.newest],
    ).select(snapshots.cluster, snapshots.taken_at, snapshots.object)
    table = rows.to_pyarrow()
    clusters = table.column("cluster").to_pylist()
    texts = table.column("object").to_pylist()
    instants = [moment for moment in table.column("taken_at").to_pylist() if moment is not None]
    objects = [(cluster, json.loads(text)) for cluster, text in zip(clusters, texts, strict=True)]
    return objects, max(instants) if instants else None


__all__ = [
    "Located",
    "latest_snapshots",
    "manifests_inventory",
    "objects_inventory",
    "ref_of",
]
