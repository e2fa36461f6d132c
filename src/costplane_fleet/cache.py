"""Redis statistics, one snapshot a day at 00:00 UTC (table cache_stats).

Shared tenants share servers (100 tenants each); dedicated tenants get their
own. Each snapshot has a server row (tenant empty) and one row per tenant key
space (`{tenant}:*`, sampled with MEMORY USAGE). Every server has maxmemory with
allkeys-lru and never evicts, except where redis-maxmemory-unset is planted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from costplane.warehouse import FACT_TABLES
from costplane_fleet.offering import REDIS_SKUS, ManagedSku
from costplane_fleet.planted import Plants
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng
from costplane_fleet.tenants import TenantProfile

MAXMEMORY_SHARE = 0.75
BYTES_PER_KEY = 2_400
SAMPLE_KEYS = 10_000


@dataclass(frozen=True)
class CacheStats:
    table: pa.Table
    servers: dict[str, tuple[ManagedSku, TenantProfile | None]]


def generate_cache(
    tenants: tuple[TenantProfile, ...], orders: np.ndarray, plants: Plants, spec: FleetSpec
) -> CacheStats:
    r = rng(spec.seed, "cache")
    servers: dict[str, tuple[ManagedSku, TenantProfile | None]] = {}
    members: dict[str, list[int]] = {}
    for i, t in enumerate(tenants):
        shared = t.redis_server.startswith("redis-shared-")
        sku = REDIS_SKUS["cache.r7n.xlarge" if shared else "cache.m7n.large"]
        servers.setdefault(t.redis_server, (sku, None if shared else t))
        members.setdefault(t.redis_server, []).append(i)
    n_days = spec.days
    # tenant key space memory follows its business volume (sessions, ormcache, queue jobs)
    rel = orders / np.maximum(orders.mean(axis=1, keepdims=True), 1e-9)
    base = np.array([8e6 + 0.9e6 * t.orders_per_day**0.8 for t in tenants])
    memory = np.rint(base[:, None] * (0.85 + 0.15 * rel) * r.uniform(0.95, 1.05, orders.shape))
    keys = np.rint(memory / BYTES_PER_KEY).astype(np.int64)

    # one day's rows: per server (sorted), its own row then one per member tenant
    names = sorted(servers)
    grouped = np.array([i for name in names for i in members[name]], dtype=np.int64)
    sizes = np.array([len(members[name]) for name in names], dtype=np.int64)
    group_start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    per_day = len(names) + len(grouped)
    server_row = group_start + np.arange(len(names))  # position of each server's own row
    is_server = np.zeros(per_day, dtype=bool)
    is_server[server_row] = True
    row_server = np.repeat(np.arange(len(names)), sizes + 1)
    row_tenant = np.full(per_day, -1, dtype=np.int64)
    row_tenant[~is_server] = grouped
    unset = np.array(
        [
            owner is not None and plants.has("redis-maxmemory-unset", owner.id)
            for _, owner in (servers[name] for name in names)
        ],
        dtype=bool,
    )
    maxmemory = np.array(
        [int(servers[name][0].memory_gib * 2**30 * MAXMEMORY_SHARE) for name in names],
        dtype=np.int64,
    )
    maxmemory[unset] = 0

    # (row of a day, day) values, then flattened day-major
    server_keys = np.add.reduceat(keys[grouped], group_start, axis=0) if len(names) else keys[:0]
    server_memory = (
        np.add.reduceat(memory[grouped], group_start, axis=0) if len(names) else memory[:0]
    )
    tenant_of_row = np.maximum(row_tenant, 0)
    row_keys = np.where(is_server[:, None], server_keys[row_server], keys[tenant_of_row])
    row_memory = memory[tenant_of_row].astype(np.int64)
    used = (server_memory + 3_500_000).astype(np.int64)[row_server]
    tenant_mask = np.tile(~is_server, n_days)
    server_mask = ~tenant_mask

    def flat(values: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(values.T).reshape(-1)

    def server_only(values: np.ndarray) -> pa.Array:
        return pa.array(values, mask=tenant_mask)

    def tenant_only(values: np.ndarray) -> pa.Array:
        return pa.array(values, mask=server_mask)

    days = np.repeat(np.arange(n_days, dtype=np.int64), per_day)
    taken = (spec.start_epoch + (days + 1) * 86_400) * 1_000_000
    all_keys = flat(row_keys)
    policy = np.where(unset, "noeviction", "allkeys-lru")[np.tile(row_server, n_days)]
    schema = FACT_TABLES["cache_stats"].schema.to_pyarrow()
    columns = {
        "taken_at": pa.array(taken, pa.timestamp("us")),
        "server": pa.DictionaryArray.from_arrays(
            pa.array(np.tile(row_server, n_days).astype(np.int32)), pa.array(names, pa.string())
        ),
        "tenant": pa.array(
            np.array([t.id for t in tenants], dtype=object)[np.tile(tenant_of_row, n_days)],
            pa.string(),
            mask=server_mask,
        ),
        "keys": pa.array(all_keys),
        "memory_bytes": tenant_only(flat(row_memory)),
        "sampled_fraction": tenant_only(np.minimum(1.0, SAMPLE_KEYS / np.maximum(all_keys, 1))),
        "used_memory_bytes": server_only(flat(used)),
        "maxmemory_bytes": server_only(np.tile(maxmemory[row_server], n_days)),
        "maxmemory_policy": pa.array(policy.astype(object), pa.string(), mask=tenant_mask),
        "evicted_keys": server_only(np.zeros(len(days), dtype=np.int64)),
        "expired_keys": server_only(all_keys * 3),
    }
    table = pa.table(columns, schema=schema)
    return CacheStats(table, servers)
