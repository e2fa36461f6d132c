"""Who ran each recorded restore test is kept in a column of its own (`ran_by`), on SQLite
and on the running PostgreSQL; recording the same test again updates its row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect

from costplane.state import (
    RestoreTestRecord,
    downgrade,
    record_restore_test,
    restore_tests,
    state_engine,
    upgrade,
)

MONDAY = dt.datetime(2026, 11, 16, 4, 10)


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


def _test(at: dt.datetime, result: str, ran_by: str, load_id: int) -> RestoreTestRecord:
    return RestoreTestRecord(
        tenant="alpenpharm",
        environment="production",
        database="alpenpharm_prod",
        tested_at=at,
        result=result,
        evidence_url=None,
        backup_id=None,
        ran_by=ran_by,
        recorded_at=at + dt.timedelta(hours=1),
        load_id=load_id,
    )


def test_who_ran_it_has_a_column_of_its_own(engine: Engine) -> None:
    columns = {c["name"]: c for c in inspect(engine).get_columns("restore_tests")}
    assert columns["ran_by"]["nullable"] is False
    record_restore_test(engine, _test(MONDAY, "ok", "restore-bot", 7))
    (stored,) = restore_tests(engine)
    assert (stored.tenant, stored.tested_at, stored.result) == ("alpenpharm", MONDAY, "ok")
    assert stored.ran_by == "restore-bot"
    assert stored.load_id == 7


def test_the_same_test_again_updates_its_row(engine: Engine) -> None:
    record_restore_test(engine, _test(MONDAY, "failed", "anna", 7))
    again = record_restore_test(engine, _test(MONDAY, "ok", "restore-bot", 9))
    assert (again.result, again.ran_by, again.load_id) == ("ok", "restore-bot", 9)
    record_restore_test(engine, _test(MONDAY + dt.timedelta(days=7), "ok", "anna", 11))
    assert [(t.tested_at.day, t.ran_by) for t in restore_tests(engine)] == [
        (23, "anna"),
        (16, "restore-bot"),
    ]
    assert restore_tests(engine, tenant="someone-else") == []


def test_the_migration_goes_down_and_up(engine: Engine) -> None:
    downgrade(engine, "0004")
    assert "restore_tests" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert "restore_tests" in inspect(engine).get_table_names()
