"""`collect_redis`: one Redis server's memory, evictions and per-tenant key space.

INFO gives the server's figures (memory, maxmemory and its policy, evicted and
expired keys, keys per database) without CONFIG, so a user allowed INFO, SCAN,
DBSIZE and MEMORY USAGE is enough. The tenant split reads the database the URL
names (0 unless `/N`). A server that cannot be reached, or refuses INFO, is a
`ServiceUnavailableError`; a refused SCAN or MEMORY USAGE leaves the tenant split
missing and the run partial.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import redis

from costplane.errors import ServiceUnavailableError
from costplane.masked_url import masked_url
from costplane.retries import with_retries
from costplane.sources.collector import Collected
from costplane.sources.redis.connection import client_for, database_of, scrub
from costplane.sources.redis.pattern import TenantMatcher
from costplane.sources.redis.sampling import Sample, sample_memory
from costplane.warehouse import FACT_TABLES, Load

SOURCE = "redis"
MAX_KEYS = 10_000
MAX_SECONDS = 10.0


@dataclass(frozen=True)
class RedisRequest:
    url: str
    tenants: tuple[str, ...] = ()
    key_pattern: str = "{tenant}:*"
    server: str | None = None
    max_keys: int = MAX_KEYS
    max_seconds: float = MAX_SECONDS


def collect_redis(request: RedisRequest) -> Collected:
    client = client_for(request.url)
    shown = masked_url(request.url)
    taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    info = with_retries(
        lambda: _info(client, request.url),
        what=f"Redis {shown}",
        retry_on=(redis.ConnectionError, redis.TimeoutError),
        describe=lambda error: scrub(request.url, str(error)),
    )
    database = database_of(client)
    server = request.server or default_server(client, database)
    missing: list[str] = []
    sample = _sample(client, request, missing)
    summary = document(server, database, info, sample, taken_at)
    table = pa.Table.from_pylist(list(rows(server, taken_at, summary)), _schema())
    load = Load("cache_stats", SOURCE, server, taken_at, taken_at, table)
    client.close()
    return Collected(SOURCE, shown, [load], summary, tuple(missing))


def default_server(client: redis.Redis, database: int) -> str:
    """host:port, with /N for a database other than 0 (each is its own tenant split)."""
    kwargs = client.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}"
    return f"{where}/{database}" if database else str(where)


def _info(client: redis.Redis, url: str) -> dict[str, Any]:
    try:
        return dict(client.info())
    except (redis.AuthenticationError, redis.ResponseError) as error:
        # a wrong password or a NOPERM: asking again will not help
        raise ServiceUnavailableError(
            f"Redis {masked_url(url)}: {scrub(url, str(error))}"
        ) from None


def _sample(client: redis.Redis, request: RedisRequest, missing: list[str]) -> Sample | None:
    matcher = TenantMatcher(request.key_pattern, request.tenants)
    try:
        return sample_memory(client, matcher, request.max_keys, request.max_seconds)
    except (redis.ResponseError, redis.ConnectionError, redis.TimeoutError) as error:
        missing.append(f"memory per tenant ({scrub(request.url, str(error))})")
        return None


def document(
    server: str, database: int, info: dict[str, Any], sample: Sample | None, taken_at: dt.datetime
) -> dict[str, Any]:
    """The `--output json` document."""
    keyspace = info.get(f"db{database}")
    keys = int(keyspace["keys"]) if isinstance(keyspace, dict) else 0
    tenants = [] if sample is None else tenant_rows(sample)
    unattributed = None
    if sample is not None:
        other_keys, other_bytes = sample.estimate(None)
        unattributed = {"keys": other_keys, "memory_bytes": other_bytes}
    return {
        "server": server,
        "database": database,
        "taken_at": taken_at,
        "used_memory": int(info.get("used_memory", 0)),
        "maxmemory": int(info.get("maxmemory", 0)),
        "maxmemory_policy": info.get("maxmemory_policy"),
        "evicted_keys": int(info.get("evicted_keys", 0)),
        "expired_keys": int(info.get("expired_keys", 0)),
        "keys": keys,
        "sampled_keys": None if sample is None else sample.sampled_keys,
        "sampled_fraction": None if sample is None else sample.fraction,
        "sample_complete": None if sample is None else sample.complete,
        "sample_seconds": None if sample is None else round(sample.seconds, 3),
        "tenants": tenants,
        "unattributed": unattributed,
    }


def tenant_rows(sample: Sample) -> list[dict[str, Any]]:
    """Every tenant with at least one sampled key, largest first."""
    found = []
    for tenant in (t for t in sample.keys if t is not None):
        keys, memory = sample.estimate(tenant)
        found.append(
            {
                "tenant": tenant,
                "keys": keys,
                "memory_bytes": memory,
                "sampled_fraction": sample.fraction,
            }
        )
    return sorted(found, key=lambda t: (-t["memory_bytes"], t["tenant"]))


def rows(server: str, taken_at: dt.datetime, summary: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """cache_stats: the server's row (tenant null) and one row per tenant key space."""
    yield {
        "taken_at": taken_at,
        "server": server,
        "tenant": None,
        "keys": summary["keys"],
        "used_memory_bytes": summary["used_memory"],
        "maxmemory_bytes": summary["maxmemory"],
        "maxmemory_policy": summary["maxmemory_policy"],
        "evicted_keys": summary["evicted_keys"],
        "expired_keys": summary["expired_keys"],
    }
    for tenant in summary["tenants"]:
        yield {"taken_at": taken_at, "server": server, **tenant}


def _schema() -> pa.Schema:
    return FACT_TABLES["cache_stats"].schema.to_pyarrow()
