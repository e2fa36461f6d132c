"""Two commands at once, with real processes.

On the embedded DuckDB a child process holds the warehouse file as a command would
(for writing, as an ingest does, or for reading, as a report does) while `costplane`
runs beside it: readers read beside readers, and beside a writer they read the last
written state from the read copy, whole; without the copy they wait a bounded time for
a writer saying for what, then exit 1 in one line; a second writer does the same, and a
refused ingest is in `ingest history`.
On PostgreSQL an allocation racing ingests reads one state: it always reconciles.
The holder is always a process of its own; the command beside it runs in-process (the
`cli` fixture) unless the test must read its stderr while it waits (`run_past`): a
`costplane` process costs seconds of imports on a loaded machine and proves nothing more.
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
from costplane.warehouse import Access, Load, Warehouse, connect_warehouse, read_copy
from tests.conftest import Run

pytestmark = pytest.mark.slow
Popen = subprocess.Popen[str]

DAY_ONE = date(2026, 10, 1)
DAY_THREE = date(2026, 10, 3)
RACES = 6

HOLDER = """
import sys
import datetime as dt
from costplane.warehouse import FACT_TABLES, Access, Load, connect_warehouse
url, operation, mode = sys.argv[1:4]
access = Access(read_only=mode == "ro", operation=operation)
with connect_warehouse(url, access=access) as warehouse:
    if mode == "ingest":  # a whole load written, the file still held
        signals = FACT_TABLES["business_signals"].schema.to_pyarrow().empty_table()
        month = (dt.datetime(2026, 9, 1), dt.datetime(2026, 10, 1))
        warehouse.ingest([Load("business_signals", "odoo", "acme", *month, signals)])
    print("holding", flush=True)
    sys.stdin.read()  # until the test lets go
"""
NO_COPY = {"COSTPLANE_WAREHOUSE_READ_COPY": "off"}


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

    def start(operation: str, mode: str, extra: dict[str, str] | None = None) -> Popen:
        url = f"duckdb:///{warehouse_file(project)}"
        child = subprocess.Popen(
            [sys.executable, "-c", HOLDER, url, operation, mode],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, **(extra or {})},
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


def env(wait: float, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {"COSTPLANE_WAREHOUSE_WAIT": str(wait), **(extra or {})}


def run_past(
    holder: Popen, *args: str, extra: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run `costplane ARGS` while `holder` holds the warehouse; let go once it says it
    waits (or once it ends). Returns the exit code, its first line on stderr (what it
    waited for), and the rest."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
    command = subprocess.Popen(
        [str(Path(sys.executable).with_name("costplane")), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**clean, **env(120, extra)},
    )
    assert command.stderr is not None
    waiting = command.stderr.readline()  # blocks until the command has something to say
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=60)
    _, rest = command.communicate(timeout=300)
    return command.returncode, waiting, rest


def test_readers_read_while_another_reader_reads(project: Path, hold: Run, cli: Run) -> None:
    hold("report reconcile", "ro")
    home = str(project / "project")
    report = cli(
        "--home", home, "report", "reconcile", "--period", "2026-10", "-o", "json", env=env(0)
    )
    assert report.exit_code == 0, report.stderr
    days = [day for day in json.loads(report.stdout)["days"] if day["date"] <= "2026-10-02"]
    assert [Decimal(day["difference"]) for day in days] == [0, 0]
    assert all(Decimal(day["billed"]) > 0 for day in days)
    govern = cli("--home", home, "govern", "-o", "json", env=env(0))
    assert govern.exit_code == 0, govern.stderr
    assert isinstance(json.loads(govern.stdout), list)


def url_of(project: Path) -> str:
    return f"duckdb:///{warehouse_file(project)}"


def load_ids(project: Path, told: list[str]) -> list[int]:
    access = Access(read_only=True, wait_seconds=0, on_wait=told.append)
    with connect_warehouse(url_of(project), access=access) as warehouse:
        return [load.load_id for load in warehouse.loads()]


def test_a_reader_reads_the_last_whole_write_while_a_writer_writes(
    project: Path, hold: Run, cli: Run
) -> None:
    before = load_ids(project, told := [])
    assert told == [], "the copy is current: nothing to say"
    writer = hold("ingest odoo", "ingest")
    since = datetime.now().strftime("%H:%M")
    during = load_ids(project, told := [])
    assert during == before, "the load the writer wrote is not seen before it lets go"
    assert len(told) == 1
    assert told[0].startswith(
        f"the ingest odoo running since {since} (pid {writer.pid}) is writing "
        f"{warehouse_file(project)}: reading it as last written, at "
    ), told[0]
    home = str(project / "project")
    report = cli(
        "--home", home, "report", "reconcile", "--period", "2026-10", "-o", "json", env=env(0)
    )
    assert report.exit_code == 0, report.stderr
    assert "is writing" in report.stderr
    days = [day for day in json.loads(report.stdout)["days"] if day["date"] <= "2026-10-02"]
    assert [Decimal(day["difference"]) for day in days] == [0, 0]
    assert writer.stdin is not None
    writer.stdin.close()
    assert writer.wait(timeout=60) == 0
    after = load_ids(project, told := [])
    assert told == []
    assert after[:-1] == before, "nothing else changed"
    assert after[-1] > before[-1], "the new load, whole, once the writer ends"


def test_a_writer_killed_before_it_published_is_read_whole_from_the_file(
    project: Path, hold: Run
) -> None:
    before = load_ids(project, [])
    writer = hold("ingest odoo", "ingest")
    writer.kill()
    writer.wait(timeout=30)
    database = warehouse_file(project)
    assert not read_copy.current(database), "the copy misses the load committed before the kill"
    after = load_ids(project, told := [])
    assert told == [], "no one holds the file: it is read itself, at once"
    assert len(after) == len(before) + 1
    with connect_warehouse(url_of(project), access=Access(operation="allocate")):
        assert read_copy.current(database) is False, "a writer holds it"
    assert read_copy.current(database), "the next writer brought the copy up to date"
    assert load_ids(project, []) == after


def test_a_reader_waits_for_the_writer_saying_for_what(project: Path, hold: Run) -> None:
    writer = hold("ingest fleet", "rw", NO_COPY)
    since = datetime.now().strftime("%H:%M")
    home = str(project / "project")
    code, waiting, rest = run_past(
        writer, "--home", home, "report", "reconcile", "--period", "2026-10", extra=NO_COPY
    )
    assert code == 0, rest
    assert waiting.startswith(
        f"waiting for the ingest fleet running since {since} (pid {writer.pid})"
    )
    assert "IO Error" not in rest


def test_a_second_writer_gives_up_after_the_bound_in_one_line_and_is_in_history(
    project: Path, hold: Run, cli: Run
) -> None:
    writer = hold("allocate", "rw")
    home = str(project / "project")
    started = time.monotonic()
    second = cli("--home", home, "ingest", "fleet", str(project / "fleet"), env=env(2))
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
    history = cli("--home", home, "ingest", "history", "-o", "json", env=env(30))
    assert history.exit_code == 0, history.stderr
    failed = [run for run in json.loads(history.stdout) if run["status"] == "failed"]
    assert {run["table"] for run in failed} >= {"billing_lines", "usage_samples"}
    assert all("in use by the allocate" in run["error"] for run in failed)


def test_a_reader_held_up_past_the_bound_exits_1_in_one_line(
    project: Path, hold: Run, cli: Run
) -> None:
    writer = hold("ingest focus", "rw", NO_COPY)
    home = str(project / "project")
    govern = cli("--home", home, "govern", env=env(1, NO_COPY))
    assert govern.exit_code == 1
    assert (
        govern.stderr.strip()
        .splitlines()[-1]
        .startswith(f"error: the warehouse {warehouse_file(project)} is in use by the ingest focus")
    )
    assert f"(pid {writer.pid})" in govern.stderr
    assert "Traceback" not in govern.stderr


def test_a_writer_waits_for_readers_of_the_file_then_writes(project: Path, hold: Run) -> None:
    reader = hold("report showback", "ro", NO_COPY)
    home = str(project / "project")
    days = ("--from", "2026-10-01", "--to", "2026-10-02")
    code, waiting, rest = run_past(reader, "--home", home, "allocate", *days, extra=NO_COPY)
    assert code == 0, rest
    assert waiting.startswith("waiting for the report showback running since")
    assert not (warehouse_file(project).parent / "warehouse.duckdb.running").exists()


def test_a_writer_never_waits_for_readers_of_the_copy(project: Path, hold: Run, cli: Run) -> None:
    hold("report showback", "ro")
    home = str(project / "project")
    days = ("--from", "2026-10-01", "--to", "2026-10-02")
    allocate = cli("--home", home, "allocate", *days, env=env(0))
    assert allocate.exit_code == 0, allocate.stderr
    assert "waiting" not in allocate.stderr


def test_a_holder_note_left_by_a_killed_process_is_not_blamed(
    project: Path, hold: Run, cli: Run
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
    writer = hold("collect prometheus", "rw", NO_COPY)
    home = str(project / "project")
    report = cli("--home", home, "report", "reconcile", "--period", "2026-10", env=env(0, NO_COPY))
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
