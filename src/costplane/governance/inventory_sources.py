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
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

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
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
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


def texts_inventory(table: pa.Table, ownership: Ownership) -> Inventory:
    """An inventory of objects kept as JSON text (`cluster`, `kind`, `object` columns):
    Namespaces are parsed to learn their labels; any other object only when a policy
    reads it whole or names it, its owner resolved then."""
    clusters = table.column("cluster").to_pylist()
    texts = table.column("object").combine_chunks()
    rows_by_kind: dict[str, list[int]] = defaultdict(list)
    for row, kind in enumerate(table.column("kind").to_pylist()):
        if isinstance(kind, str):
            rows_by_kind[kind].append(row)
    for row in rows_by_kind.get("Namespace", []):
        ownership.add_namespace(clusters[row], json.loads(texts[row].as_py()))
    inventory = Inventory()
    for kind in sorted(rows_by_kind):
        rows = rows_by_kind[kind]
        located = [clusters[row] for row in rows]
        inventory.add_texts(
            kind,
            texts.take(pa.array(rows, pa.int64())),
            resolve=partial(_resolve, located, ownership),
        )
    return inventory


def _resolve(
    clusters: list[str | None], ownership: Ownership, row: int, document: Mapping[str, Any]
) -> ResourceRef:
    return ref_of(clusters[row], document, ownership)


def manifests_inventory(directory: Path, ownership: Ownership) -> Inventory:
    """Objects from YAML and JSON files under `directory` (no cluster)."""
    objects = [(None, obj) for path in manifest_files(directory) for obj in read_objects(path)]
    return objects_inventory(objects, ownership)


def latest_snapshots(
    warehouse: Warehouse, at: dt.datetime | None = None
) -> tuple[list[Located], dt.datetime | None]:
    """Every object of each cluster's newest snapshot (taken at or before `at`, naive UTC),
    and the newest instant among them: the moment the run judges."""
    table, newest = latest_snapshot_texts(warehouse, at)
    clusters = table.column("cluster").to_pylist()
    texts = table.column("object").to_pylist()
    objects = [(cluster, json.loads(text)) for cluster, text in zip(clusters, texts, strict=True)]
    return objects, newest


def latest_snapshot_texts(
    warehouse: Warehouse, at: dt.datetime | None = None
) -> tuple[pa.Table, dt.datetime | None]:
    """As `latest_snapshots`, the objects left as JSON text: `cluster`, `kind`, `object`."""
    snapshots = warehouse.table("inventory_snapshots")
    if at is not None:
        snapshots = snapshots.filter(snapshots.taken_at <= at)
    newest = snapshots.group_by("cluster").aggregate(newest=snapshots.taken_at.max())
    rows = snapshots.join(
        newest,
        [snapshots.cluster == newest.cluster, snapshots.taken_at == newest.newest],
    ).select(snapshots.cluster, snapshots.kind, snapshots.taken_at, snapshots.object)
    table = rows.to_pyarrow()
    instants = [moment for moment in table.column("taken_at").to_pylist() if moment is not None]
    return table, max(instants) if instants else None


__all__ = [
    "Located",
    "latest_snapshot_texts",
    "latest_snapshots",
    "manifests_inventory",
    "objects_inventory",
    "ref_of",
    "texts_inventory",
]
