"""`idle_capacity_saving` and `idle_capacity_nodes`: a node pool's idle capacity, as
`costplane recommend nodes` computes it (`costplane.insight`), so the policy and the command
agree number for number.

A `node-pool` resource (cluster = its cluster, name = `<cluster>/<pool>`) gets its pool's
monthly saving with the recommended node type and count, and that saving counted in the
pool's current nodes (1.00: a node can go). The window is the insight's: the bill prices
nodes over it and the usage shows pods in it, ending at the evaluation instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from costplane.catalog import Catalog
from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import bounds
from costplane.governance.inventory.resources import ResourceRef
from costplane.insight import ClusterState, NodeRecommendations, read_cluster_state
from costplane.insight import recommend_nodes as pack_pools
from costplane.warehouse import Warehouse

POOL_WINDOW = dt.timedelta(days=30)
"""The window `node-pool` resources are listed over (the insight's default)."""


class CapacityFacts(WarehouseProvider):
    """Node pools' idle capacity, one packing per window."""

    FACTS = (
        FactDefinition(
            "idle_capacity_saving",
            FactType.NUMBER,
            "a node pool's monthly saving at the bill's node prices with the node type and "
            "count that hold its pods' requests with 20 % headroom (recommend nodes)",
            windowed=True,
        ),
        FactDefinition(
            "idle_capacity_nodes",
            FactType.NUMBER,
            "a node pool's idle capacity saving counted in its current nodes (exact prices, "
            "to 0.01): 1 when one node can go",
            windowed=True,
        ),
    )

    def __init__(self, warehouse: Warehouse, catalog: Catalog) -> None:
        super().__init__(warehouse)
        self.catalog = catalog

    def state(self, start: dt.datetime, end: dt.datetime) -> ClusterState:
        days = max(1, round((end - start) / dt.timedelta(days=1)))
        return self.cache.get(
            ("state", start, end),
            lambda: read_cluster_state(self.warehouse, self.catalog, days, end),
        )

    def recommendations(self, start: dt.datetime, end: dt.datetime) -> NodeRecommendations:
        return self.cache.get(
            ("pools", start, end),
            lambda: pack_pools(self.state(start, end), self.catalog.currency),
        )

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        start, end = bounds(request)
        assert start is not None, "the capacity facts are windowed"
        if not any(ref.kind == "node-pool" for ref in subjects):
            return [None] * len(subjects)
        pools = {f"{p.cluster}/{p.pool}": p for p in self.recommendations(start, end).clusters}
        values: list[object] = []
        for ref in subjects:
            pool = pools.get(ref.name) if ref.kind == "node-pool" else None
            if pool is None:
                values.append(None)
            elif request.name == "idle_capacity_saving":
                values.append(pool.saving)
            else:
                values.append(pool.nodes_spare)
        return values
