"""Connecting to Redis with timeouts, and naming it without its password."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from costplane.errors import InputError
from costplane.masked_url import masked_url
from costplane.retries import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS

SCHEMES = ("redis", "rediss", "unix")


def scrub(url: str, message: str) -> str:
    """`message` without the URL's password."""
    parts = urlsplit(url)
    secrets = [parts.password] + [v for k, v in parse_qsl(parts.query) if k == "password"]
    message = message.replace(url, masked_url(url))
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message


def check_url(url: str) -> None:
    """Refuse what is not a Redis URL before anything is connected or recorded."""
    if urlsplit(url).scheme not in SCHEMES:
        raise InputError(
            f"--url: not a Redis URL: {masked_url(url)} (expected redis://host:port/db)"
        )


def client_for(
    url: str,
    connect_seconds: float = CONNECT_TIMEOUT_SECONDS,
    read_seconds: float = READ_TIMEOUT_SECONDS,
) -> redis.Redis:
    """A client that fails fast: retries are `with_retries`' job, not redis-py's."""
    check_url(url)
    try:
        return redis.Redis.from_url(
            url,
            socket_connect_timeout=connect_seconds,
            socket_timeout=read_seconds,
            retry=Retry(NoBackoff(), 0),
            decode_responses=False,
        )
    except ValueError as error:
        raise InputError(f"--url: {scrub(url, str(error))}") from None


def database_of(client: redis.Redis) -> int:
    return int(client.connection_pool.connection_kwargs.get("db", 0) or 0)
