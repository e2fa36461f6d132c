"""Two commands at once, with real processes.

On the embedded DuckDB a child process holds the warehouse file as a command would
(for writing, as an ingest does, or for reading, as a report does) while `costplane`
runs beside it: readers read beside readers, anyone waits a bounded time for a writer
saying for what, then exits 1 in one line, and a refused ingest is in `ingest history`.
On PostgreSQL an allocation racing ingests reads one state: it always reconciles.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from costplane.allocation import Window, allocate, reconcile
from costplane.catalog import load_catalog
from costplane.sources import fleet_loads
from costplane.surfaces.cli import app
from costplane.warehouse import Load, Warehouse, connect_warehouse
from tests.conftest import Run

pytestmark = pytest.mark.slow

DAY_ONE = date(2026, 10, 1)
DAY_THREE = date(2026, 10, 3)
RACES = 6

HOLDER = """
import sys
from costplane.warehouse import Access, connect_warehouse
url, operation, mode = sys.argv[1:4]
access = Access(read_only=mode == "ro", operation=operation)
with connect_warehouse(url, access=access):
    print("holding", flush=True)
    sys.stdin.read()  # until the test lets go
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small project with a fleet loaded and allocated (built once, copied per test)."""
    root = tmp_path_factory.mktemp("concurrency")
    runner = CliRunner()
    fleet_args = [
        "generate",
        "fleet",
        "--tenants",
        "3",
        "--days",
        "2",
        "--seed",
        "1",
        "--start",
        "2026-10-01",
    ]
    for args in (
        [*fleet_args, "--out", str(root / "fleet")],
        ["--home", str(root / "project"), "ingest", "fleet", str(root / "fleet")],
        ["--home", str(root / "project"), "allocate"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
    return root


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    shutil.copytree(built, tmp_path / "copy")
    return tmp_path / "copy"


def warehouse_file(root: Path) -> Path:
    return root / "project" / ".costplane" / "warehouse.duckdb"


@pytest.fixture
def hold(project: Path) -> Iterator[Run]:
    """Start a process holding the project's warehouse; it is ended after the test."""
    children: list[subprocess.Popen[str]] = []

    def start(operation: str, mode: str) -> subprocess.Popen[str]:
        url = f"duckdb:///{warehouse_file(project)}"
        child = subprocess.Popen(
            [sys.executable, "-c", HOLDER, url, operation, mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        children.append(child)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "holding"
        return child

    yield start  # type: ignore[misc]
    for child in children:
        child.kill()
        child.wait(timeout=30)
        for stream in (child.stdin, child.stdout):
            if stream is not None:
                stream.close()


def env(wait: float) -> dict[str, str]:
    return {"COSTPLANE_WAREHOUSE_WAIT": str(wait)}


def run_past(holder: subprocess.Popen[str], *args: str) -> tuple[int, str, str]:
    """Run `costplane ARGS` while `holder` holds the warehouse; let go once it says it
    waits. Returns the exit code, the line saying what it waited for, and the rest."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
    command = subprocess.Popen(
        [str(Path(sys.executable).with_name("costplane")), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, **env(120)},
    )
    assert command.stderr is not None
    waiting = command.stderr.readline()  # blocks until the command has something to say
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=60)
    _, rest = command.communicate(timeout=300)
    return command.returncode, waiting, rest


def test_readers_read_while_another_reader_reads(project: Path, hold: Run, costplane: Run) -> None:
    hold("report reconcile", "ro")
    home = str(project / "project")
    report = costplane(
        "--home", home, "report", "reconcile", "--period", "2026-10", "-o", "json", env=env(0)
    )
    assert report.exit_code == 0, report.stderr
    days = [day for day in json.loads(report.stdout)["days"] if day["date"] <= "2026-10-02"]
    assert [Decimal(day["difference"]) for day in days] == [0, 0]
    assert all(Decimal(day["billed"]) > 0 for day in days)
    govern = costplane("--home", home, "govern", "-o", "json", env=env(0))
    assert govern.exit_code == 0, govern.stderr
    assert isinstance(json.loads(govern.stdout), list)


def test_a_reader_waits_for_the_writer_saying_for_what(project: Path, hold: Run) -> None:
    writer = hold("ingest fleet", "rw")
    since = datetime.now().strftime("%H:%M")
    home = str(project / "project")
    code, waiting, rest = run_past(
        writer, "--home", home, "report", "reconcile", "--period", "2026-10"
    )
    assert code == 0, rest
    assert waiting.startswith(
        f"waiting for the ingest fleet running since {since} (pid {writer.pid})"
    )
    assert "IO Error" not in rest


def test_a_second_writer_gives_up_after_the_bound_in_one_line_and_is_in_history(
    project: Path, hold: Run, costplane: Run
) -> None:
    writer = hold("allocate", "rw")
    home = str(project / "project")
    started = time.monotonic()
    second = costplane("--home", home, "ingest", "fleet", str(project / "fleet"), env=env(2))
    took = time.monotonic() - started
    assert second.exit_code == 1
    lines = [line for line in second.stderr.splitlines() if not line.startswith("waiting for")]
    assert len(lines) == 1, second.stderr
    assert re.fullmatch(
        rf"error: the warehouse .*warehouse\.duckdb is in use by the allocate running since "
        rf"\d\d:\d\d \(pid {writer.pid}\); gave up after 2 s .*COSTPLANE_WAREHOUSE_WAIT=SECONDS\)",
        lines[0],
    ), lines[0]
    assert "Traceback" not in second.stderr
    assert "IO Error" not in second.stderr
    assert took < 60, "the bound holds (2 s of waiting, and the start of a process)"
    writer.kill()
    writer.wait(timeout=30)
    history = costplane("--home", home, "ingest", "history", "-o", "json", env=env(30))
    assert history.exit_code == 0, history.stderr
    failed = [run for run in json.loads(history.stdout) if run["status"] == "failed"]
    assert {run["table"] for run in failed} >= {"billing_lines", "usage_samples"}
    assert all("in use by the allocate" in run["error"] for run in failed)


def test_a_reader_held_up_past_the_bound_exits_1_in_one_line(
    project: Path, hold: Run, costplane: Run
) -> None:
    writer = hold("ingest focus", "rw")
    home = str(project / "project")
    govern = costplane("--home", home, "govern", env=env(1))
    assert govern.exit_code == 1
    assert (
        govern.stderr.strip()
        .splitlines()[-1]
        .startswith(f"error: the warehouse {warehouse_file(project)} is in use by the ingest focus")
    )
    assert f"(pid {writer.pid})" in govern.stderr
    assert "Traceback" not in govern.stderr


def test_a_writer_waits_for_readers_then_writes(project: Path, hold: Run) -> None:
    reader = hold("report showback", "ro")
    home = str(project / "project")
    days = ("--from", "2026-10-01", "--to", "2026-10-02")
    code, waiting, rest = run_past(reader, "--home", home, "allocate", *days)
    assert code == 0, rest
    assert waiting.startswith("waiting for the report showback running since")
    assert not (warehouse_file(project).parent / "warehouse.duckdb.running").exists()


def test_a_holder_note_left_by_a_killed_process_is_not_blamed(
    project: Path, hold: Run, costplane: Run
) -> None:
    notes = warehouse_file(project).parent / "warehouse.duckdb.running"
    notes.mkdir()
    (notes / "999999999.json").write_text(
        json.dumps(
            {
                "operation": "ingest fleet",
                "pid": 999999999,
                "since": "2026-01-01T10:02:00+00:00",
                "writes": True,
            }
        )
    )
    (notes / "12.json").write_text("{not json")
    writer = hold("collect prometheus", "rw")
    home = str(project / "project")
    report = costplane("--home", home, "report", "reconcile", "--period", "2026-10", env=env(0))
    assert report.exit_code == 1
    assert "in use by the collect prometheus running since" in report.stderr
    assert f"(pid {writer.pid})" in report.stderr
    assert not (notes / "999999999.json").exists()


# PostgreSQL: allocate racing ingests


def dearer(load: Load, extra: Decimal) -> Load:
    """The same bill and one more line: `extra` charged over the whole month, so the days
    its charges cover change with it (a reload a user might make mid-month)."""
    assert isinstance(load.data, pa.Table)
    line = load.data.slice(0, 1)
    month = {
        "charge_period_start": datetime(2026, 10, 1),
        "charge_period_end": datetime(2026, 11, 1),
    }
    for name in ("billed_cost", "effective_cost", "resource_id", *month):
        if name not in line.column_names:
            continue
        field = line.schema.field(name)
        value = month.get(name, extra if field.type != pa.string() else "monthly-support")
        index = line.schema.get_field_index(name)
        line = line.set_column(index, field, pa.array([value], field.type))
    return dataclasses.replace(load, data=pa.concat_tables([load.data, line]))


def placed(warehouse: Warehouse, window: Window) -> Decimal:
    """What the allocation placed of the bill in the window (tenants, shared, idle, none)."""
    _, total = reconcile(warehouse, window)
    return total.allocated + total.shared + total.idle + total.unallocated


@pytest.mark.postgres
def test_allocate_racing_ingests_reads_one_state(built: Path, postgres_url: str) -> None:
    catalog = load_catalog(built / "project" / "costplane.yaml")
    loads = fleet_loads(built / "fleet", catalog.labels)
    [cheap] = [load for load in loads if load.table == "billing_lines"]
    dear = dearer(cheap, Decimal("169.03"))
    window = Window(DAY_ONE, DAY_THREE)
    billed = set()
    with connect_warehouse(postgres_url) as warehouse:
        warehouse.ingest(loads)
        for bill in (dear, cheap):
            warehouse.ingest([bill], allow_shrink=True)
            allocate(warehouse, catalog, window)
            billed.add(placed(warehouse, window))
            assert reconcile(warehouse, window)[1].difference == 0
    assert len(billed) == 2, "the two bills differ in the window"
    stop = threading.Event()
    errors: list[BaseException] = []

    def reload() -> None:
        try:
            with connect_warehouse(postgres_url) as writer:
                while not stop.is_set():
                    for bill in (dear, cheap):
                        writer.ingest([bill], allow_shrink=True)
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=reload)
    thread.start()
    seen = []
    try:
        with connect_warehouse(postgres_url) as warehouse:
            for _ in range(RACES):
                allocate(warehouse, catalog, window)
                seen.append(placed(warehouse, window))
    finally:
        stop.set()
        thread.join(timeout=120)
    assert not errors, errors
    assert set(seen) <= billed, (
        f"allocations placed {sorted(set(seen))}; the bills: {sorted(billed)}"
    )
    with connect_warehouse(postgres_url) as warehouse:
        allocate(warehouse, catalog, window)
        assert reconcile(warehouse, window)[1].difference == 0
