"""`costplane sources status` reads the collector runs: last success, last error, staleness."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from costplane.state import SourceRun, record_source_run, source_status, state_engine, upgrade

T0 = dt.datetime(2026, 11, 1, 6, 0)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = state_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def run(source: str, target: str, hours: int, status: str, **extra: str) -> SourceRun:
    at = T0 + dt.timedelta(hours=hours)
    return SourceRun(
        source=source, target=target, status=status, rows=5, started_at=at, finished_at=at, **extra
    )


def test_status_keeps_the_last_success_through_a_later_failure(engine: Engine) -> None:
    record_source_run(engine, run("postgres", "postgresql://ro@db1/postgres", 0, "ok"))
    record_source_run(
        engine,
        run("postgres", "postgresql://ro@db1/postgres", 6, "failed", error="db1: timeout"),
    )
    record_source_run(
        engine, run("redis", "redis://cache1:6379/0", 1, "partial", missing="tenant key space")
    )
    postgres, redis = source_status(engine)
    assert (postgres.source, postgres.status) == ("postgres", "failed")
    assert postgres.last_success == T0
    assert (postgres.last_error, postgres.last_error_at) == (
        "db1: timeout",
        T0 + dt.timedelta(hours=6),
    )
    assert postgres.staleness(T0 + dt.timedelta(hours=30)) == dt.timedelta(hours=30)
    assert (redis.status, redis.missing, redis.last_error) == ("partial", "tenant key space", None)
    assert redis.last_success == T0 + dt.timedelta(hours=1)


def test_a_source_that_never_succeeded_has_no_staleness(engine: Engine) -> None:
    record_source_run(engine, run("prometheus", "http://prom:9090", 0, "failed", error="refused"))
    (entry,) = source_status(engine)
    assert entry.last_success is None
    assert entry.staleness(T0) is None
