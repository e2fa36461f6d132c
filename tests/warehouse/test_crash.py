"""A process killed in the middle of a large load leaves the earlier load whole.

A child process replaces a small load with a large Parquet file and is killed
with SIGKILL once the rows are visibly being written: DuckDB's file grows as it
writes the new rows, PostgreSQL reports COPY progress. On reopening, the small
load's rows and registry entry must be exactly as before.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url

from costplane.errors import ExecutionError
from costplane.warehouse import Access, Load, Warehouse, connect_warehouse

pytestmark = pytest.mark.slow

MARCH = datetime(2024, 3, 1)
APRIL = datetime(2024, 4, 1)
LARGE_ROWS = 5_000_000

CHILD = """
import pathlib, sys
from datetime import datetime
from costplane.warehouse import Load, connect_warehouse

url, parquet = sys.argv[1], pathlib.Path(sys.argv[2])
with connect_warehouse(url) as warehouse:
    warehouse.ensure_schema()
    print("ingesting", flush=True)
    march = (datetime(2024, 3, 1), datetime(2024, 4, 1))
    warehouse.ingest([Load("usage_samples", "prometheus", "eu-1", *march, parquet)])
print("committed", flush=True)
"""


@pytest.fixture(scope="module")
def large_parquet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Hourly usage for March, LARGE_ROWS rows: seconds of work to write."""
    path = tmp_path_factory.mktemp("large") / "usage.parquet"
    duckdb.sql(
        f"""
        COPY (
            SELECT TIMESTAMP '2024-03-01' + to_hours((i % 744)::BIGINT) AS hour,
                   'eu-1' AS cluster, 'tenant-' || (i % 400) AS namespace,
                   'pod-' || i AS pod, random() AS cpu_usage_cores,
                   2147483648::BIGINT AS memory_request_bytes
            FROM range({LARGE_ROWS}) AS t(i)
        ) TO '{path}' (FORMAT parquet)
        """
    )
    return path


def small_load() -> Load:
    hours = [MARCH + timedelta(hours=i) for i in range(48)]
    rows = pa.table({"hour": hours, "namespace": ["acme-prod"] * 48, "cpu_usage_cores": [0.5] * 48})
    return Load("usage_samples", "prometheus", "eu-1", MARCH, APRIL, rows)


def state(warehouse: Warehouse) -> tuple[object, ...]:
    table = warehouse.table("usage_samples")
    count = table.count().to_pyarrow().as_py()
    cpu = table.cpu_usage_cores.sum().to_pyarrow().as_py()
    return count, cpu, [(r.load_id, r.rows, r.period_start) for r in warehouse.loads()]


@pytest.fixture
def child_process() -> Iterator[Callable[[str, Path], subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []

    def start(url: str, parquet: Path) -> subprocess.Popen[str]:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, url, str(parquet)], stdout=subprocess.PIPE, text=True
        )
        started.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ingesting"
        return child

    yield start
    for child in started:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def kill_when(child: subprocess.Popen[str], writing: Callable[[], bool]) -> None:
    """SIGKILL the child as soon as `writing()` says the large load is being written."""
    deadline = time.monotonic() + 60
    while not writing():
        assert child.poll() is None, "the child ended before it was seen writing"
        assert time.monotonic() < deadline, "the child was never seen writing"
        time.sleep(0.02)
    assert child.poll() is None, "the load finished before it could be killed"
    child.send_signal(signal.SIGKILL)
    assert child.wait(timeout=10) == -signal.SIGKILL


def test_duckdb_killed_mid_insert_keeps_the_earlier_load(
    tmp_path: Path,
    large_parquet: Path,
    child_process: Callable[[str, Path], subprocess.Popen[str]],
) -> None:
    database = tmp_path / "warehouse.duckdb"
    url = f"duckdb:///{database}"
    with connect_warehouse(url) as warehouse:
        warehouse.ingest([small_load()])
        before = state(warehouse)
    size = database.stat().st_size

    child = child_process(url, large_parquet)
    kill_when(child, lambda: database.stat().st_size > size + 4_000_000)

    with connect_warehouse(url) as warehouse:
        assert state(warehouse) == before
        [retry] = warehouse.ingest([small_load()])
        assert retry.rows_replaced == 48


def test_duckdb_file_held_by_another_process_is_unavailable(
    tmp_path: Path,
    large_parquet: Path,
    child_process: Callable[[str, Path], subprocess.Popen[str]],
) -> None:
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    child_process(url, large_parquet)

    # Not waiting (docs/warehouse.md, "Two commands at once"): one line naming the holder.
    with pytest.raises(ExecutionError, match=r"is in use by the costplane running since .* \(pid"):
        connect_warehouse(url, access=Access(wait_seconds=0))


@pytest.mark.postgres
def test_postgres_client_killed_mid_copy_keeps_the_earlier_load(
    postgres_url: str,
    large_parquet: Path,
    child_process: Callable[[str, Path], subprocess.Popen[str]],
) -> None:
    database = make_url(postgres_url).database
    with connect_warehouse(postgres_url) as warehouse:
        warehouse.ingest([small_load()])
        before = state(warehouse)

    with psycopg.connect(postgres_url, autocommit=True) as observer:

        def copying() -> bool:
            row = observer.execute(
                "SELECT tuples_processed FROM pg_stat_progress_copy WHERE datname = %s",
                [database],
            ).fetchone()
            return row is not None and row[0] > 0

        child = child_process(postgres_url, large_parquet)
        kill_when(child, copying)

    with connect_warehouse(postgres_url) as warehouse:
        assert state(warehouse) == before
        [retry] = warehouse.ingest([small_load()])  # the dead client's lock is gone
        assert retry.rows_replaced == 48
