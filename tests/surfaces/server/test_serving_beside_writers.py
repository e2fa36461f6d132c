"""`costplane serve` as a real process (uvicorn), answering while `costplane allocate`
rewrites the month, `costplane ingest` reloads its bill and `costplane collect` reads a
real PostgreSQL beside it: no "database is locked", no 5xx, no writer waits, and every
answer is the data before the write or after it, never a mix."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from costplane.service import Project, Role, TokenRequest, create_token
from costplane.settings import Settings
from tests.conftest import DEMO_PERIOD, Demo
from tests.surfaces.server.conftest import TENANT, copy_project

COSTPLANE = str(Path(sys.executable).with_name("costplane"))
SHOWBACK = f"/api/v1/cost/showback?period={DEMO_PERIOD}"
RECONCILE = f"/api/v1/reconcile?period={DEMO_PERIOD}"
CORRECTION = "100.25"
"""What the reloaded bill adds to one line of the first day (a credit note, say)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}


@dataclass
class Server:
    home: Path
    url: str
    token: str
    process: subprocess.Popen[str]
    log: Path

    def client(self) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


@pytest.fixture(scope="module")
def server(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    where = tmp_path_factory.mktemp("uvicorn")
    home = copy_project(demo.home, where / "demo")
    project = Project(Settings(home=home))
    token = create_token(project, TokenRequest(Role.ADMIN, subject="ops")).token
    project.close()
    port, log = free_port(), where / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [COSTPLANE, "--home", str(home), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment(),
        )
    running = Server(home, f"http://127.0.0.1:{port}", token, process, log)
    try:
        wait_until_ready(running)
        yield running
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, server.log.read_text()
        try:
            if httpx.get(server.url + "/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling the port, not waiting for a guess
    pytest.fail(f"the server did not get ready: {server.log.read_text()}")


def test_the_real_server_answers_health_and_the_api(server: Server) -> None:
    ready = httpx.get(server.url + "/readyz").json()
    assert ready["status"] == "ready"
    with server.client() as client:
        tenants = client.get("/api/v1/tenants?limit=5")
        assert tenants.status_code == 200
        assert tenants.json()["total"] == 40
        assert client.get("/api/v1/openapi.json").json()["openapi"].startswith("3.1")
    assert httpx.get(server.url + "/api/v1/tenants").status_code == 401
    assert f"at http://127.0.0.1:{server.url.rsplit(':', 1)[1]}/" in server.log.read_text()


def _text(note: Path) -> str:
    try:
        return note.read_text()
    except OSError:  # withdrawn between the listing and the read
        return ""


def tenant_total(document: dict[str, object]) -> Decimal:
    [line] = [line for line in document["lines"] if line["tenant"] == TENANT]  # type: ignore[attr-defined]
    return Decimal(line["total"])


@dataclass
class Written:
    """A writer run beside the server, and what the server answered meanwhile."""

    answers: list[tuple[int, str, float, float]]  # status, body, asked, answered
    writing: list[float]  # when the writer's holder note was seen on the warehouse

    def during(self) -> list[tuple[int, str, float, float]]:
        """Answers asked and answered while the writer held the warehouse."""
        assert self.writing, "the writer was seen holding the warehouse"
        first, last = self.writing[0], self.writing[-1]
        return [a for a in self.answers if first <= a[2] and a[3] <= last]

    def documents(self) -> list[Any]:
        """Every answer's document, each checked to be a 200 that says nothing of a lock."""
        found = []
        for status, text, _, _ in self.answers:
            assert status == 200, text
            assert "locked" not in text
            found.append(httpx.Response(200, text=text).json())
        return found


def write_beside(server: Server, route: str, *command: str) -> Written:
    """Run `costplane COMMAND` while two clients keep asking for `route`."""
    answers: list[tuple[int, str, float, float]] = []
    writing: list[float] = []
    writer_done = threading.Event()

    def ask() -> None:
        with server.client() as client:
            while not writer_done.is_set():
                asked = time.monotonic()
                answer = client.get(route)
                answers.append((answer.status_code, answer.text, asked, time.monotonic()))

    def watch() -> None:
        notes = server.home / ".costplane" / "warehouse.duckdb.running"
        while not writer_done.is_set():
            if any('"writes": true' in _text(note) for note in notes.glob("*.json")):
                writing.append(time.monotonic())
            time.sleep(0.01)  # sampling the holder notes, not waiting for a result

    readers = [threading.Thread(target=ask) for _ in range(2)]
    readers.append(threading.Thread(target=watch))
    for reader in readers:
        reader.start()
    try:
        writer = subprocess.run(
            [COSTPLANE, "--home", str(server.home), *command],
            capture_output=True,
            text=True,
            env=environment(),
            timeout=300,
        )
    finally:
        writer_done.set()
        for reader in readers:
            reader.join()
    assert writer.returncode == 0, writer.stderr
    assert "waiting for" not in writer.stderr  # the server's readers never held it up
    return Written(answers, writing)


def printed(server: Server, *command: str) -> Any:
    """What `costplane COMMAND -o json` prints, as the server's user would check it."""
    done = subprocess.run(
        [COSTPLANE, "--home", str(server.home), *command, "-o", "json"],
        capture_output=True,
        text=True,
        env=environment(),
        check=True,
    )
    return json.loads(done.stdout)


def test_requests_see_a_whole_allocation_or_none_while_allocate_writes(server: Server) -> None:
    with server.client() as client:
        before = client.get(SHOWBACK).json()
    # Spreading idle capacity over tenants changes every tenant's cost once allocated.
    catalog = server.home / "costplane.yaml"
    catalog.write_text(catalog.read_text() + "allocation:\n  share_idle: true\n")
    # Five days: many answers while it writes (tens, on two loaded cores), and a change.
    days = ["--from", f"{DEMO_PERIOD}-01", "--to", f"{DEMO_PERIOD}-05"]
    written = write_beside(server, SHOWBACK, "allocate", *days)
    with server.client() as client:
        after = client.get(SHOWBACK).json()
    assert tenant_total(after) != tenant_total(before)
    report = printed(server, "report", "showback", "--period", DEMO_PERIOD)
    assert {**after, "notes": None} == {**report, "notes": None}
    assert after["total"]["total"] == before["total"]["total"]  # the same bill, spread
    assert len(written.during()) >= 2, "requests were asked and answered while allocate wrote"
    seen = set()
    for document in written.documents():
        document.pop("notes")
        assert document["lines"] in (before["lines"], after["lines"])
        seen.add(tenant_total(document))
    assert seen <= {tenant_total(before), tenant_total(after)}
    assert "locked" not in server.log.read_text()
    assert " 500 " not in server.log.read_text()


def billed_on(document: dict[str, Any], day: str) -> Decimal:
    [found] = [d["billed"] for d in document["days"] if d["date"] == day]
    return Decimal(found)


def test_requests_see_a_whole_bill_or_none_while_ingest_reloads_it(
    server: Server, demo: Demo, tmp_path: Path
) -> None:
    """A corrected bill reloaded beside the server: reconciliation answers the bill before
    or after, never a part, and the load replaces the period rather than adding to it."""
    with server.client() as client:
        before = client.get(RECONCILE).json()
    bill = pq.read_table(demo.home / "fleet" / "billing" / f"focus-{DEMO_PERIOD}.parquet")
    first_day = pc.equal(pc.strftime(bill["ChargePeriodStart"], "%Y-%m-%d"), f"{DEMO_PERIOD}-01")
    [line] = pc.indices_nonzero(first_day).to_pylist()[:1]
    corrected = bill
    for column in ("BilledCost", "EffectiveCost"):
        amounts = bill[column].to_pylist()
        amounts[line] += Decimal(CORRECTION)
        field = bill.schema.field(column)
        corrected = corrected.set_column(
            bill.schema.get_field_index(column), field, pa.array(amounts, field.type)
        )
    pq.write_table(corrected, tmp_path / f"focus-{DEMO_PERIOD}.parquet")

    written = write_beside(
        server, RECONCILE, "ingest", "focus", str(tmp_path / f"focus-{DEMO_PERIOD}.parquet")
    )

    with server.client() as client:
        after = client.get(RECONCILE).json()
    day = f"{DEMO_PERIOD}-01"
    assert billed_on(after, day) == billed_on(before, day) + Decimal(CORRECTION)
    report = printed(server, "report", "reconcile", "--period", DEMO_PERIOD)
    assert {**after, "notes": None} == {**report, "notes": None}  # the CLI's go to stderr
    assert any("run `costplane allocate`" in note for note in after["notes"])
    assert written.during(), "requests were asked and answered while ingest wrote"
    for document in written.documents():
        assert document in (before, after)
    [load, *_] = printed(server, "ingest", "history")
    assert (load["table"], load["status"], load["rows"], load["replaced"]) == (
        "billing_lines",
        "ok",
        bill.num_rows,
        bill.num_rows,
    )
    assert " 500 " not in server.log.read_text()


@pytest.mark.postgres
def test_collect_writes_beside_the_server(server: Server, postgres_url: str) -> None:
    """A collector writes the warehouse and the state store while the server reads both."""
    with server.client() as client:
        before = client.get("/api/v1/sources").json()
    assert [s for s in before if s["source"] == "postgres"] == []

    # Its own scratch database only: the server's others come and go with other tests.
    database = postgres_url.rsplit("/", 1)[1]
    collect = ["collect", "postgres", "--dsn", postgres_url, "--database", database]
    written = write_beside(server, "/api/v1/sources", *collect)

    with server.client() as client:
        after = client.get("/api/v1/sources").json()
    [collected] = [s for s in after if s["source"] == "postgres"]
    assert (collected["status"], collected["last_error"]) == ("ok", None)
    assert written.during(), "requests were asked and answered while collect wrote"
    for document in written.documents():
        assert [s["source"] for s in document] in (
            [s["source"] for s in before],
            [s["source"] for s in after],
        )
    [load, *_] = printed(server, "ingest", "history")
    assert (load["source"], load["status"]) == ("postgres", "ok")
    assert " 500 " not in server.log.read_text()
