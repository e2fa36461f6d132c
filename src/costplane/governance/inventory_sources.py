"""The Kubernetes inventory a governance run judges: the warehouse's latest snapshot of each
cluster, or a directory of manifests (the GitOps pull-request check).

The warehouse's snapshot is read as stored columns, kind by kind, where its load
wrote them (`warehouse/columnar.py`), and as JSON texts otherwise: a snapshot
loaded before columns existed, or a kind whose objects make no table.

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
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa

from costplane.governance.inventory.object_columns import Stored, stored_texts
from costplane.governance.inventory.resources import Inventory, ResourceRef
from costplane.governance.ownership import Ownership
from costplane.sources import manifest_files, read_objects
from costplane.warehouse import ObjectColumns, Warehouse

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


@dataclass(frozen=True)
class LatestInventory:
    """Each cluster's newest snapshot, per kind: its stored columns where the load wrote
    them (and they hold every object of it), its JSON texts otherwise."""

    parts: dict[str, list[tuple[str | None, Stored]]]
    """Kind -> (cluster, columns or texts), clusters in order."""
    newest: dt.datetime | None
    """The newest instant among the snapshots: the moment a run judges."""

    @property
    def objects(self) -> int:
        return sum(len(part) for found in self.parts.values() for _, part in found)


def stored_inventory(latest: LatestInventory, ownership: Ownership) -> Inventory:
    """An inventory of the stored objects: Namespaces are parsed to learn their labels; any
    other object only when a policy reads it whole or names it, its owner resolved then."""
    for cluster, part in latest.parts.get("Namespace", []):
        for text in stored_texts([part]).to_pylist():
            ownership.add_namespace(cluster, json.loads(text))
    inventory = Inventory()
    for kind in sorted(latest.parts):
        found = latest.parts[kind]
        located = [cluster for cluster, part in found for _ in range(len(part))]
        inventory.add_stored(
            kind, [part for _, part in found], resolve=partial(_resolve, located, ownership)
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


def latest_inventory(warehouse: Warehouse, at: dt.datetime | None = None) -> LatestInventory:
    """Each cluster's newest snapshot taken at or before `at` (naive UTC)."""
    snapshots = warehouse.table("inventory_snapshots")
    if at is not None:
        snapshots = snapshots.filter(snapshots.taken_at <= at)
    newest = snapshots.group_by("cluster").aggregate(newest=snapshots.taken_at.max())
    latest = snapshots.join(
        newest, [snapshots.cluster == newest.cluster, snapshots.taken_at == newest.newest]
    ).select(snapshots.cluster, snapshots.kind, snapshots.object)
    counts = latest.group_by(["cluster", "kind"]).aggregate(objects=latest.kind.count())
    stored = warehouse.table("inventory_columns")
    columns = stored.join(
        newest, [stored.cluster == newest.cluster, stored.taken_at == newest.newest]
    ).select(stored.cluster, stored.kind, stored.objects, stored.doc, stored.texts)
    parts = _columns_holding_all(columns.to_pyarrow(), counts.to_pyarrow())
    covered = [(latest.cluster == cluster) & (latest.kind == kind) for cluster, kind in parts]
    rest = latest.filter(~ibis.or_(*covered)) if covered else latest
    texts = rest.select("cluster", "kind", "object").to_pyarrow()
    for (cluster, kind), rows in _rows_by(texts).items():
        picked = texts.column("object").take(pa.array(rows, pa.int64())).combine_chunks()
        parts[cluster, kind] = [picked]
    by_kind: dict[str, list[tuple[str | None, Stored]]] = defaultdict(list)
    for cluster, kind in sorted(parts, key=lambda key: (str(key[1]), str(key[0]))):
        by_kind[kind].extend((cluster, part) for part in parts[cluster, kind])
    instants = newest.newest.max().to_pyarrow().as_py()
    return LatestInventory(dict(by_kind), instants)


def _columns_holding_all(
    columns: pa.Table, counts: pa.Table
) -> dict[tuple[str | None, str], list[Stored]]:
    """The stored columns of each (cluster, kind) whose objects add up to the snapshot's:
    the same snapshot loaded twice by two sources, say, is read from its texts."""
    expected = {(row["cluster"], row["kind"]): row["objects"] for row in counts.to_pylist()}
    found: dict[tuple[str | None, str], list[Stored]] = defaultdict(list)
    held: dict[tuple[str | None, str], int] = defaultdict(int)
    for row in columns.to_pylist():
        key = (row["cluster"], row["kind"])
        found[key].append(ObjectColumns(row["doc"], row["texts"]))
        held[key] += row["objects"]
    return {key: parts for key, parts in found.items() if held[key] == expected.get(key)}


def _rows_by(table: pa.Table) -> dict[tuple[str | None, str], list[int]]:
    rows: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for row, key in enumerate(
        zip(table.column("cluster").to_pylist(), table.column("kind").to_pylist(), strict=True)
    ):
        if isinstance(key[1], str):
            rows[key].append(row)
    return rows


__all__ = [
    "LatestInventory",
    "Located",
    "latest_inventory",
    "manifests_inventory",
    "objects_inventory",
    "ref_of",
    "stored_inventory",
]
