"""Facts from `cache_stats` about Redis servers (a `cache` resource is named by its server).

`maxmemory_bytes` and `used_memory_bytes` come from the server's latest snapshot at
or before the evaluation instant. Redis's `evicted_keys` counts since the server
started, so `evicted_keys` here is how much it grew over the window: the sum of
the increases between consecutive snapshots (after a restart, the new count).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from costplane.governance.facts.databases import latest_rows
from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import bounds, exact
from costplane.governance.inventory.resources import ResourceRef


def server_rows(table: ir.Table) -> ir.Table:
    """The per-server rows of cache_stats (per-tenant key-space rows carry a tenant)."""
    return table.filter(table.tenant.isnull() | (table.tenant == ""))


class CacheFacts(WarehouseProvider):
    """Memory and eviction facts about Redis servers, one query per kind and window."""

    FACTS = (
        FactDefinition(
            "maxmemory_bytes", FactType.BYTES, "the Redis server's maxmemory (0: no limit)"
        ),
        FactDefinition("used_memory_bytes", FactType.BYTES, "memory the Redis server uses"),
        FactDefinition(
            "evicted_keys",
            FactType.NUMBER,
            "keys the Redis server evicted during the window (growth of its evicted_keys counter)",
            windowed=True,
        ),
    )

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        start, end = bounds(request)
        if request.name == "evicted_keys":
            assert start is not None
            grown = self.cache.get(("evicted", start, end), lambda: self._evicted(start, end))
            return [grown.get(ref.name) if ref.kind == "cache" else None for ref in subjects]
        latest = self.latest(end)
        return [
            exact(latest[ref.name][request.name])
            if ref.kind == "cache" and ref.name in latest
            else None
            for ref in subjects
        ]

    def latest(self, end: dt.datetime) -> dict[str, dict[str, Any]]:
        """Each server's latest server row as of `end` (naive UTC)."""
        return self.cache.get(("latest", end), lambda: self._latest(end))

    def _latest(self, end: dt.datetime) -> dict[str, dict[str, Any]]:
        rows = latest_rows(server_rows(self.warehouse.table("cache_stats")), end, ("server",))
        table = rows.select(
            "server",
            "taken_at",
            maxmemory_bytes=rows.maxmemory_bytes,
            used_memory_bytes=rows.used_memory_bytes,
            maxmemory_policy=rows.maxmemory_policy,
        )
        return {row["server"]: row for row in table.to_pyarrow().to_pylist()}

    def _evicted(self, start: dt.datetime, end: dt.datetime) -> dict[str, Decimal]:
        rows = server_rows(self.warehouse.table("cache_stats"))
        rows = rows.filter(
            (rows.taken_at >= start) & (rows.taken_at <= end) & rows.evicted_keys.notnull()
        )
        window = ibis.window(group_by=rows.server, order_by=rows.taken_at)
        previous = rows.evicted_keys.lag().over(window)
        growth = ibis.cases(
            (previous.isnull(), ibis.literal(0)),
            (rows.evicted_keys >= previous, rows.evicted_keys - previous),
            else_=rows.evicted_keys,
        )
        steps = rows.select("server", growth=growth)
        table = steps.group_by("server").aggregate(evicted=steps.growth.sum())
        return {
            row["server"]: Decimal(int(row["evicted"] or 0))
            for row in table.to_pyarrow().to_pylist()
        }
