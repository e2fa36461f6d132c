"""Kubernetes objects as rows of the `inventory_snapshots` table.

Each object is tied to a tenant, environment and service class by the
catalog's label keys, on the object itself or else on its namespace. Objects
are kept whole as their camelCase JSON, so policies read the same paths
whatever the source (live API, manifests, the fleet generator), except for the
literal secrets workloads carry (`redaction.py`). Each snapshot is also written
as columns per kind (`inventory_columns`), the form policies read it in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from costplane.catalog import LabelKeys
from costplane.sources.redaction import redacted
from costplane.warehouse import INVENTORY_COLUMNS, INVENTORY_SNAPSHOTS, Load, object_columns


def inventory_loads(
    objects: Iterable[Mapping[str, Any]],
    *,
    source: str,
    cluster: str,
    taken_at: dt.datetime,
    labels: LabelKeys,
) -> tuple[Load, Load]:
    """A cluster's objects at `taken_at`: as rows of `inventory_snapshots`, and as columns
    per kind; one replaces the other's earlier load only together (same key)."""
    rows = inventory_table(objects, cluster=cluster, taken_at=taken_at, labels=labels)
    return (
        Load(INVENTORY_SNAPSHOTS.name, source, cluster, taken_at, taken_at, rows),
        Load(INVENTORY_COLUMNS.name, source, cluster, taken_at, taken_at, inventory_columns(rows)),
    )


def inventory_table(
    objects: Iterable[Mapping[str, Any]],
    *,
    cluster: str,
    taken_at: dt.datetime,
    labels: LabelKeys,
) -> pa.Table:
    """One row per object, tenant/environment/service class resolved."""
    objects = list(objects)
    namespace_labels = {
        o["metadata"]["name"]: o["metadata"].get("labels") or {}
        for o in objects
        if o.get("kind") == "Namespace"
    }
    columns: dict[str, list[Any]] = {name: [] for name in INVENTORY_SNAPSHOTS.schema.names}
    for obj in objects:
        metadata = obj.get("metadata") or {}
        own = metadata.get("labels") or {}
        namespace = metadata.get("namespace")
        inherited = namespace_labels.get(namespace, {}) if namespace else {}
        row = {
            "taken_at": taken_at,
            "cluster": cluster,
            "api_version": obj.get("apiVersion"),
            "kind": obj.get("kind"),
            "namespace": namespace,
            "name": metadata.get("name"),
            "uid": metadata.get("uid"),
            "tenant": own.get(labels.tenant) or inherited.get(labels.tenant),
            "environment": own.get(labels.environment) or inherited.get(labels.environment),
            "service_class": own.get(labels.service_class) or inherited.get(labels.service_class),
            "labels": json.dumps(own, sort_keys=True),
            "object": json.dumps(redacted(obj), separators=(",", ":")),
        }
        for name, value in row.items():
            columns[name].append(value)
    return pa.table(columns, schema=INVENTORY_SNAPSHOTS.schema.to_pyarrow())


def inventory_columns(rows: pa.Table) -> pa.Table:
    """One row per kind of an `inventory_snapshots` table (one cluster, one instant): its
    objects as columns. A kind whose objects make no table gets no row; policies then
    read its texts."""
    columns: dict[str, list[Any]] = {name: [] for name in INVENTORY_COLUMNS.schema.names}
    kinds = rows.column("kind")
    for kind in sorted(k for k in pc.unique(kinds).to_pylist() if k is not None):
        texts = rows.column("object").filter(pc.equal(kinds, kind)).combine_chunks()
        found = object_columns(texts)
        if found is None:
            continue
        doc, stored_texts = found
        for name, value in (
            ("taken_at", rows.column("taken_at")[0].as_py()),
            ("cluster", rows.column("cluster")[0].as_py()),
            ("kind", kind),
            ("objects", len(texts)),
            ("doc", doc),
            ("texts", stored_texts),
        ):
            columns[name].append(value)
    return pa.table(columns, schema=INVENTORY_COLUMNS.schema.to_pyarrow())
