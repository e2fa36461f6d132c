"""Fixtures for the real services this machine runs: PostgreSQL and Redis.

A test that needs a service asks for its fixture. When the service is absent the
test is skipped, unless COSTPLANE_REQUIRE_SERVICES=1 (set by .ci/run), in which
case it fails: CI must never pass by skipping the real thing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

POSTGRES_ADMIN_URL = os.environ.get(
    "COSTPLANE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_ADMIN_URL = os.environ.get("COSTPLANE_TEST_REDIS", "redis://127.0.0.1:6379")
REDIS_TEST_DATABASE = 13
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _unavailable(what: str, why: object) -> None:
    message = f"{what} is not available: {why}"
    if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
    pytest.skip(message)


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        _unavailable("PostgreSQL at 127.0.0.1:5432", exc)
        raise  # unreachable: _unavailable always raises


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database for one test, dropped afterwards."""
    admin = _admin_connection()
    name = f"costplane_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis database 13, the tests' own: emptied before and after each test."""
    import redis

    url = f"{REDIS_ADMIN_URL}/{REDIS_TEST_DATABASE}"
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        _unavailable("Redis at 127.0.0.1:6379", exc)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def shared_data() -> Path:
    """../shared/data beside the clone (CI has it there too)."""
    path = SHARED / "data"
    if not path.is_dir():
        pytest.fail(f"{path} is missing: the shared data must sit beside the clone")
    return path
