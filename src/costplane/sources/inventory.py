"""Kubernetes objects as rows of the `inventory_snapshots` table.

Each object is tied to a tenant, environment and service class by the
catalog's label keys, on the object itself or else on its namespace. Objects
are kept whole as their camelCase JSON, so policies read the same paths
whatever the source (live API, manifests, the fleet generator), except for the
literal secrets workloads carry (`redaction.py`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa

from costplane.catalog import LabelKeys
from costplane.sources.redaction import redacted
from costplane.warehouse.tables import INVENTORY_SNAPSHOTS


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
