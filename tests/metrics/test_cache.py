"""A scrape reuses the gathered model while the stamp of what changed stays the same, and
gathers again when a collector runs, a finding is acknowledged or anything is allocated;
the stamp's queries run on both engines of each store."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from costplane.allocation import allocation_stamp
from costplane.service import Project, acknowledge_finding, gather_metrics, kept_findings
from costplane.service.findings import FindingsQuery
from costplane.settings import Settings
from costplane.state import SourceRun, record_source_run, state_engine, state_stamp, upgrade
from costplane.surfaces.metrics.cache import MetricsCache
from costplane.warehouse import connect_warehouse
from tests.conftest import Demo
from tests.metrics.serving import demo_copy

AT = dt.datetime(2026, 11, 2, 6, 0)


def source_run(status: str = "ok") -> SourceRun:
    return SourceRun(
        source="redis", target="redis://cache:6379/0", status=status, rows=3,
        started_at=AT, finished_at=AT,
    )  # fmt: skip


@pytest.fixture(scope="module")
def home(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_copy(demo.home, tmp_path_factory.mktemp("metrics-cache"))


def test_the_model_is_gathered_again_only_when_the_data_changed(home: Path) -> None:
    project = Project(Settings(home=home))
    cache = MetricsCache(project)
    first = cache.current()
    assert cache.current() is first
    assert cache.gathered == 1

    record_source_run(project.state(), source_run())
    second = cache.current()
    assert cache.gathered == 2
    assert "redis" in {s.source for s in second.sources}
    assert cache.current() is second

    (finding, *_) = kept_findings(project, FindingsQuery())
    acknowledge_finding(project, finding.fingerprint, "ops@example.com")
    third = cache.current()
    assert cache.gathered == 3
    acknowledged = [g for g in third.findings if g.status == "acknowledged"]
    assert [(g.policy, g.count) for g in acknowledged] == [(finding.policy, 1)]
    assert third.costs == second.costs  # the allocation did not move
    project.close()


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


def test_the_state_stamp_moves_with_a_collector_run(engine: Engine) -> None:
    empty = state_stamp(engine)
    assert (empty.findings, empty.last_seen, empty.finding_event, empty.source_run) == (
        0, None, None, None,
    )  # fmt: skip
    record_source_run(engine, source_run("failed"))
    assert state_stamp(engine).source_run == 1
    assert state_stamp(engine) == state_stamp(engine)


@pytest.mark.parametrize(
    "engine_name", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_the_allocation_stamp_of_an_empty_warehouse(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (
        f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
        if engine_name == "duckdb"
        else request.getfixturevalue("postgres_url")
    )
    with connect_warehouse(url) as warehouse:
        warehouse.ensure_schema()
        stamp = allocation_stamp(warehouse)
    assert (stamp.rows, stamp.last_day, stamp.allocated_at, stamp.loads) == (0, None, None, 0)


def test_the_allocation_stamp_of_the_demo(home: Path) -> None:
    project = Project(Settings(home=home))
    with project.warehouse(create=False) as warehouse:
        stamp = allocation_stamp(warehouse)
        rows = warehouse.table("allocations").count().to_pyarrow().as_py()
    assert stamp.rows == rows > 0
    assert stamp.last_day == dt.date(2026, 10, 30)
    assert stamp.loads > 0
    assert stamp.loaded_at is not None
    assert stamp.allocated_at is not None
    assert stamp.allocated_at >= stamp.loaded_at.replace(microsecond=0)


def test_a_project_with_nothing_allocated_exposes_no_cost(demo: Demo, tmp_path: Path) -> None:
    home = tmp_path / "empty"
    home.mkdir()
    shutil.copyfile(demo.home / "costplane.yaml", home / "costplane.yaml")
    metrics = gather_metrics(Project(Settings(home=home)))
    assert (metrics.costs, metrics.findings, metrics.sources) == (None, (), ())
    assert not (home / ".costplane").exists()  # reading creates no store
