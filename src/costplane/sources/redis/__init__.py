"""Redis: the server's memory, limits and evictions, and memory per tenant key space,
sampled with SCAN and MEMORY USAGE within bounds of keys and time."""

from costplane.sources.redis.collect import MAX_KEYS, MAX_SECONDS, RedisRequest, collect_redis
from costplane.sources.redis.connection import check_url
from costplane.sources.redis.pattern import TenantMatcher

__all__ = [
    "MAX_KEYS",
    "MAX_SECONDS",
    "RedisRequest",
    "TenantMatcher",
    "check_url",
    "collect_redis",
]
