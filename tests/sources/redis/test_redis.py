"""The Redis collector against the running Redis, on database 13 (emptied before and after):
memory per tenant exact and sampled, limits and evictions, least privilege, errors."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from costplane.errors import ServiceUnavailableError
from costplane.sources.redis import RedisRequest, TenantMatcher, collect_redis
from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.sources.postgres.conftest import write_catalog

pytestmark = pytest.mark.redis

PASSWORD = "Redis-Secret-42"


def fill(url: str, prefix: str, count: int, value_bytes: int) -> list[bytes]:
    """`count` string keys `prefix<n>` of `value_bytes` bytes each."""
    client = redis.Redis.from_url(url)
    keys = [f"{prefix}{n}".encode() for n in range(count)]
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.set(key, b"v" * value_bytes)
        pipe.execute()
    return keys


def memory_of(url: str, keys: list[bytes]) -> int:
    """What Redis itself says those keys use."""
    client = redis.Redis.from_url(url)
    with client.pipeline(transaction=False) as pipe:
        for key in keys:
            pipe.memory_usage(key)
        return sum(pipe.execute())


def tenants_of(summary: dict[str, object]) -> dict[str, dict[str, object]]:
    return {t["tenant"]: t for t in summary["tenants"]}  # type: ignore[attr-defined,index]


def test_memory_per_tenant_is_exact_when_the_walk_ends_within_the_bounds(redis_url: str) -> None:
    acme = fill(redis_url, "acme:session:", 300, 100)
    beta = fill(redis_url, "beta:cache:", 120, 2000)
    other = fill(redis_url, "celery:", 40, 10)
    collected = collect_redis(RedisRequest(redis_url, tenants=("acme", "beta")))
    assert collected.missing == ()
    summary = collected.summary
    assert summary["keys"] == 460
    assert summary["sampled_fraction"] == 1.0
    assert summary["sample_complete"] is True
    assert tenants_of(summary) == {
        "acme": {
            "tenant": "acme",
            "keys": 300,
            "memory_bytes": memory_of(redis_url, acme),
            "sampled_fraction": 1.0,
        },
        "beta": {
            "tenant": "beta",
            "keys": 120,
            "memory_bytes": memory_of(redis_url, beta),
            "sampled_fraction": 1.0,
        },
    }
    assert summary["unattributed"] == {"keys": 40, "memory_bytes": memory_of(redis_url, other)}


@pytest.fixture
def big_keyspace(redis_url: str) -> dict[str, tuple[int, int]]:
    """6,000 keys: acme 4,000 small, beta 2,000 large; tenant -> (keys, bytes) as Redis says."""
    acme = fill(redis_url, "acme:s:", 4000, 64)
    beta = fill(redis_url, "beta:s:", 2000, 900)
    return {"acme": (4000, memory_of(redis_url, acme)), "beta": (2000, memory_of(redis_url, beta))}


def test_a_key_bounded_sample_reports_its_fraction_and_extrapolates(
    redis_url: str, big_keyspace: dict[str, tuple[int, int]]
) -> None:
    request = RedisRequest(redis_url, tenants=("acme", "beta"), max_keys=1500)
    summary = collect_redis(request).summary
    assert summary["sampled_keys"] == 1500
    assert summary["sample_complete"] is False
    assert summary["sampled_fraction"] == pytest.approx(1500 / 6000)
    found = tenants_of(summary)
    for tenant, (keys, memory) in big_keyspace.items():
        assert found[tenant]["sampled_fraction"] == pytest.approx(0.25)
        assert found[tenant]["keys"] == pytest.approx(keys, rel=0.2), tenant
        assert found[tenant]["memory_bytes"] == pytest.approx(memory, rel=0.2), tenant


def test_a_time_bounded_sample_stops_after_its_first_batch(
    redis_url: str, big_keyspace: dict[str, tuple[int, int]]
) -> None:
    request = RedisRequest(redis_url, tenants=("acme", "beta"), max_seconds=0.000_001)
    summary = collect_redis(request).summary
    sampled = summary["sampled_keys"]
    assert 0 < sampled < 6000
    assert summary["sampled_fraction"] == pytest.approx(sampled / 6000)
    total = sum(t["keys"] for t in summary["tenants"])
    assert total == pytest.approx(6000, rel=0.05)


@pytest.fixture
def limited_server(redis_url: str) -> Iterator[redis.Redis]:
    """maxmemory 1 GiB with allkeys-lru for one test, then the server's own settings back."""
    client = redis.Redis.from_url(redis_url)
    saved = client.config_get("maxmemory*")
    client.config_set("maxmemory", 1 << 30)
    client.config_set("maxmemory-policy", "allkeys-lru")
    try:
        yield client
    finally:
        client.config_set("maxmemory", saved["maxmemory"])
        client.config_set("maxmemory-policy", saved["maxmemory-policy"])


def test_limits_evictions_and_expiries_are_the_servers(
    redis_url: str, limited_server: redis.Redis
) -> None:
    summary = collect_redis(RedisRequest(redis_url)).summary
    stats = limited_server.info("stats")
    assert summary["maxmemory"] == 1 << 30
    assert summary["maxmemory_policy"] == "allkeys-lru"
    assert summary["evicted_keys"] == stats["evicted_keys"]
    assert 0 <= summary["expired_keys"] <= stats["expired_keys"]  # stats read after
    assert 0 < summary["used_memory"] <= limited_server.info("memory")["used_memory"] * 2


def test_the_cli_uses_the_catalogs_pattern_and_loads_cache_stats(
    cli: Run, tmp_path: Path, redis_url: str
) -> None:
    home = tmp_path / "home"
    write_catalog(
        home,
        {"acme": {"production": []}, "beta": {"production": []}},
        redis_pattern="odoo:{tenant}:*",
    )
    acme = fill(redis_url, "odoo:acme:session:", 50, 300)
    fill(redis_url, "acme:loose:", 10, 10)  # not the catalog's pattern: no tenant's
    result = cli("--home", str(home), "collect", "redis", "--url", redis_url, "-o", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert {"used_memory", "maxmemory", "maxmemory_policy", "evicted_keys", "tenants"} <= set(
        document
    )
    assert document["tenants"] == [
        {
            "tenant": "acme",
            "keys": 50,
            "memory_bytes": memory_of(redis_url, acme),
            "sampled_fraction": 1.0,
        }
    ]
    assert document["unattributed"]["keys"] == 10
    with connect_warehouse(f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}") as warehouse:
        rows = warehouse.table("cache_stats").to_pyarrow().to_pylist()
    server = next(r for r in rows if r["tenant"] is None)
    assert server["server"] == document["server"] == "127.0.0.1:6379/13"
    assert server["used_memory_bytes"] == document["used_memory"]
    assert server["maxmemory_policy"] == document["maxmemory_policy"]
    assert server["keys"] == 60
    (tenant,) = [r for r in rows if r["tenant"] is not None]
    assert (tenant["tenant"], tenant["keys"], tenant["sampled_fraction"]) == ("acme", 50, 1.0)
    assert tenant["memory_bytes"] == memory_of(redis_url, acme)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_an_unreachable_redis_is_one_line_exit_1(costplane: Run, tmp_path: Path) -> None:
    port = free_port()
    url = f"redis://:{PASSWORD}@127.0.0.1:{port}/13"
    result = costplane("--home", str(tmp_path), "collect", "redis", "--url", url)
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: Redis redis://:***@127.0.0.1:{port}/13: ")
    assert line.endswith("(after 3 attempts)")
    assert PASSWORD not in result.stderr


@pytest.fixture
def acl_user(redis_url: str) -> Iterator[tuple[str, redis.Redis]]:
    """Makes a Redis ACL user the test sets rules for; deleted afterwards."""
    name = f"costplane_test_{uuid.uuid4().hex[:8]}"
    admin = redis.Redis.from_url(redis_url)
    try:
        yield name, admin
    finally:
        admin.acl_deluser(name)


def user_url(redis_url: str, name: str) -> str:
    return redis_url.replace("redis://", f"redis://{name}:{PASSWORD}@")


LEAST = "+info +dbsize +scan +memory|usage +select +ping"
"""The rules docs/sources/redis.md gives the collector's user (read-only on keys)."""


def test_info_scan_and_memory_usage_are_enough(
    redis_url: str, acl_user: tuple[str, redis.Redis]
) -> None:
    name, admin = acl_user
    admin.execute_command(
        "ACL",
        "SETUSER",
        name,
        "on",
        f">{PASSWORD}",
        "resetkeys",
        "%R~*",
        "resetchannels",
        "-@all",
        *LEAST.split(),
    )
    acme = fill(redis_url, "acme:", 30, 100)
    collected = collect_redis(RedisRequest(user_url(redis_url, name), tenants=("acme",)))
    assert collected.missing == ()
    assert collected.target == f"redis://{name}:***@127.0.0.1:6379/13"
    assert tenants_of(collected.summary)["acme"]["memory_bytes"] == memory_of(redis_url, acme)
    assert LEAST in (Path(__file__).resolve().parents[3] / "docs/sources/redis.md").read_text()


def test_without_memory_usage_the_tenant_split_is_missing(
    redis_url: str, acl_user: tuple[str, redis.Redis]
) -> None:
    name, admin = acl_user
    admin.execute_command(
        "ACL",
        "SETUSER",
        name,
        "on",
        f">{PASSWORD}",
        "%R~*",
        "-@all",
        "+info",
        "+dbsize",
        "+scan",
        "+select",
        "+ping",
    )
    fill(redis_url, "acme:", 5, 10)
    collected = collect_redis(RedisRequest(user_url(redis_url, name), tenants=("acme",)))
    (missing,) = collected.missing
    assert missing.startswith("memory per tenant (")
    assert "memory" in missing.lower()
    assert collected.summary["tenants"] == []
    assert collected.summary["keys"] == 5  # INFO still says how many keys there are
    assert PASSWORD not in missing


def test_without_info_the_server_refuses_in_one_line(
    redis_url: str, acl_user: tuple[str, redis.Redis]
) -> None:
    name, admin = acl_user
    admin.execute_command("ACL", "SETUSER", name, "on", f">{PASSWORD}", "-@all", "+select", "+ping")
    with pytest.raises(ServiceUnavailableError) as refused:
        collect_redis(RedisRequest(user_url(redis_url, name)))
    message = str(refused.value)
    assert message.startswith(f"Redis redis://{name}:***@127.0.0.1:6379/13: ")
    assert "info" in message.lower()
    assert "attempts" not in message
    assert PASSWORD not in message


@pytest.mark.parametrize(
    ("pattern", "key", "tenant"),
    [
        ("{tenant}:*", b"acme:session:1", "acme"),
        ("{tenant}:*", b"acme-eu:session:1", "acme-eu"),  # the longest id that fits
        ("{tenant}:*", b"zeta:session:1", None),  # not a catalog tenant
        ("{tenant}:*", b"acme", None),
        ("odoo:{tenant}:*", b"odoo:beta:cache", "beta"),
        ("odoo:{tenant}:*", b"beta:cache", None),
        ("cache.?:{tenant}", b"cache.1:acme", "acme"),
        ("cache.?:{tenant}", b"cacheX1:acme", None),  # the dot is literal
        ("s[0-9]:{tenant}:*", b"s7:beta:x", "beta"),
        ("s[^0-9]:{tenant}:*", b"s7:beta:x", None),
        ("\\*{tenant}", b"*acme", "acme"),
    ],
)
def test_keys_name_their_tenant_through_the_pattern(
    pattern: str, key: bytes, tenant: str | None
) -> None:
    assert TenantMatcher(pattern, ["acme", "acme-eu", "beta"]).tenant(key) == tenant


def test_a_wrong_password_is_not_asked_again(
    redis_url: str, acl_user: tuple[str, redis.Redis]
) -> None:
    name, admin = acl_user
    admin.execute_command("ACL", "SETUSER", name, "on", f">{PASSWORD}", "+@all")
    wrong = redis_url.replace("redis://", f"redis://{name}:Not-{PASSWORD}@")
    with pytest.raises(ServiceUnavailableError) as refused:
        collect_redis(RedisRequest(wrong))
    message = str(refused.value)
    assert message.startswith(f"Redis redis://{name}:***@127.0.0.1:6379/13: ")
    assert "attempts" not in message
    assert PASSWORD not in message


def test_a_url_that_is_not_redis_is_bad_input(cli: Run, tmp_path: Path) -> None:
    result = cli(
        "--home", str(tmp_path), "collect", "redis", "--url", f"http://me:{PASSWORD}@cache:6379"
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert (
        line
        == "error: --url: not a Redis URL: http://me:***@cache:6379 (expected redis://host:port/db)"
    )
    assert not (tmp_path / ".costplane").exists()
    no_scheme = cli(
        "--home", str(tmp_path), "collect", "redis", "--url", f":{PASSWORD}@cache:6379/0"
    )
    assert no_scheme.exit_code == 2
    assert PASSWORD not in no_scheme.stderr
    assert "not a Redis URL: ***@cache:6379/0" in no_scheme.stderr
