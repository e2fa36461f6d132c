"""The state store migrates and works the same on SQLite and on the running PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from costplane.errors import ExecutionError, InputError, ServiceUnavailableError
from costplane.state import (
    IngestRun,
    current_revision,
    downgrade,
    head_revision,
    open_session,
    recent_runs,
    record_runs,
    state_engine,
    table_names,
    upgrade,
)
from costplane.state.models import Base


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nested' / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = state_engine(url)
    yield engine
    engine.dispose()


def _run(source: str, rows: int) -> IngestRun:
    moment = dt.datetime(2026, 9, 1)
    return IngestRun(
        source=source,
        scope="eu-shared-1",
        table_name="usage_samples",
        period_start=moment,
        period_end=moment + dt.timedelta(days=30),
        load_id=1,
        rows=rows,
        replaced_rows=0,
        status="ok",
        started_at=moment,
        finished_at=moment,
    )


def test_upgrade_creates_the_schema_once(engine: Engine) -> None:
    assert current_revision(engine) is None
    assert upgrade(engine) == (None, head_revision())
    assert {"alembic_version", "ingest_runs"} <= set(table_names(engine))
    assert upgrade(engine) == (head_revision(), head_revision())


def test_migrations_match_the_models(engine: Engine) -> None:
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_downgrade_to_base_and_back(engine: Engine) -> None:
    upgrade(engine)
    assert downgrade(engine, "base") == (head_revision(), None)
    assert "ingest_runs" not in table_names(engine)
    upgrade(engine)
    assert "ingest_runs" in table_names(engine)


def test_a_store_behind_the_code_says_how_to_fix_it(engine: Engine) -> None:
    with pytest.raises(ExecutionError, match="run `costplane db upgrade`"):
        open_session(engine)


def test_ingest_runs_round_trip_newest_first(engine: Engine) -> None:
    upgrade(engine)
    record_runs(engine, [_run("fleet", 10), _run("focus", 20)])
    record_runs(engine, [_run("prometheus", 30)])
    runs = recent_runs(engine, limit=2)
    assert [(r.source, r.rows) for r in runs] == [("prometheus", 30), ("focus", 20)]
    assert runs[0].period_end - runs[0].period_start == dt.timedelta(days=30)


def test_unknown_scheme_is_an_input_error() -> None:
    with pytest.raises(InputError, match="use sqlite:/// or postgresql://"):
        state_engine("mysql://root:hunter2@localhost/x")


def test_unreachable_postgres_is_named_without_its_password() -> None:
    engine = state_engine("postgresql://costplane:hunter2@127.0.0.1:1/state")
    with pytest.raises(ServiceUnavailableError) as caught:
        current_revision(engine)
    assert "127.0.0.1:1" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_migration_0009_adds_the_api_tokens_table_and_takes_it_away(engine: Engine) -> None:
    """The API's tokens (hashed) arrive with 0009 and leave with its downgrade, the rest kept."""
    upgrade(engine, "0008")
    assert "api_tokens" not in table_names(engine)
    upgrade(engine)
    assert "api_tokens" in table_names(engine)
    with engine.connect() as connection:
        columns = [c["name"] for c in inspect(connection).get_columns("api_tokens")]
    assert columns == [
        "id",
        "secret_sha256",
        "role",
        "tenant",
        "subject",
        "created_at",
        "expires_at",
        "revoked_at",
    ]
    assert downgrade(engine, "0008") == (head_revision(), "0008")
    assert "api_tokens" not in table_names(engine)
    assert "budget_alerts" in table_names(engine)
