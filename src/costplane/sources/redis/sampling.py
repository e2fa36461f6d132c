"""Memory per tenant from a bounded sample: SCAN, then MEMORY USAGE on what it returned.

SCAN walks the key space in hash order, which has nothing to do with key names,
so the first keys it returns are a fair sample of all of them. The walk stops at
`max_keys` keys or `max_seconds`, whichever comes first; if it reaches the end
first the counts are exact. Otherwise each tenant's keys and bytes are the
sample's divided by the sampled fraction (sampled keys / DBSIZE). MEMORY USAGE
samples 5 elements of a large hash, list, set or sorted set (Redis's default),
so a big collection's size is itself an estimate. KEYS is never used: it blocks
the server for the whole key space.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import redis

from costplane.sources.redis.pattern import TenantMatcher

SCAN_COUNT = 1_000


@dataclass
class Sample:
    total_keys: int  # DBSIZE when the walk began
    sampled_keys: int = 0
    complete: bool = False
    keys: Counter[str | None] = field(default_factory=Counter)  # tenant (None: unattributed)
    memory: Counter[str | None] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def fraction(self) -> float:
        if self.complete or self.total_keys == 0:
            return 1.0
        return min(1.0, self.sampled_keys / self.total_keys)

    def estimate(self, tenant: str | None) -> tuple[int, int]:
        """(keys, bytes) of `tenant`, extrapolated from the sample."""
        share = self.fraction
        return round(self.keys[tenant] / share), round(self.memory[tenant] / share)


def sample_memory(
    client: redis.Redis,
    matcher: TenantMatcher,
    max_keys: int,
    max_seconds: float,
    clock: Callable[[], float] = time.monotonic,
) -> Sample:
    """Walk the key space until it ends or a bound is reached; size each key seen once."""
    started = clock()
    sample = Sample(total_keys=int(client.dbsize()))
    seen: set[bytes] = set()
    cursor = 0
    while True:
        cursor, batch = client.scan(cursor=cursor, count=SCAN_COUNT)
        keys = [k if isinstance(k, bytes) else k.encode() for k in batch]
        fresh = list(dict.fromkeys(k for k in keys if k not in seen))
        room = max_keys - len(seen)
        truncated = len(fresh) > room
        fresh = fresh[:room]
        seen.update(fresh)
        _measure(client, matcher, fresh, sample)
        if cursor == 0:
            sample.complete = not truncated
            break
        if len(seen) >= max_keys or clock() - started >= max_seconds:
            break
    sample.seconds = clock() - started
    return sample


def _measure(
    client: redis.Redis, matcher: TenantMatcher, keys: list[bytes], sample: Sample
) -> None:
    if not keys:
        return
    pipeline = client.pipeline(transaction=False)
    for key in keys:
        pipeline.memory_usage(key)
    for key, size in zip(keys, pipeline.execute(), strict=True):
        if size is None:  # expired or deleted since SCAN returned it
            continue
        tenant = matcher.tenant(key)
        sample.sampled_keys += 1
        sample.keys[tenant] += 1
        sample.memory[tenant] += int(size)
