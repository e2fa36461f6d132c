"""What runs: the objects of each cluster's newest inventory snapshot in the warehouse
(`collect kubernetes` writes them), limited to the namespaces drift compares."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from costplane.warehouse import Warehouse


def live_objects(warehouse: Warehouse, namespaces: Iterable[str]) -> list[dict[str, Any]]:
    """Objects in `namespaces` (and those Namespaces themselves) from each cluster's newest
    snapshot; empty when nothing was collected."""
    wanted = sorted(set(namespaces))
    snapshots = warehouse.table("inventory_snapshots")
    newest = snapshots.group_by("cluster").aggregate(newest=snapshots.taken_at.max())
    latest = snapshots.join(
        newest, [snapshots.cluster == newest.cluster, snapshots.taken_at == newest.newest]
    )
    chosen = latest.filter(
        snapshots.namespace.isin(wanted)
        | ((snapshots.kind == "Namespace") & snapshots.name.isin(wanted))
    ).select(snapshots.object)
    texts = chosen.to_pyarrow().column("object").to_pylist()
    return [json.loads(text) for text in texts if text]
