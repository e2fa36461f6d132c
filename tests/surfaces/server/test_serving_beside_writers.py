"""`costplane serve` as a real process (uvicorn), answering while `costplane allocate`
rewrites the month beside it: no "database is locked", no 5xx, the writer never waits,
and every answer is the month before the allocation or after it, never a mix."""

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

import httpx
import pytest

from costplane.service import Project, Role, TokenRequest, create_token
from costplane.settings import Settings
from tests.conftest import DEMO_PERIOD, Demo
from tests.surfaces.server.conftest import TENANT, copy_project

COSTPLANE = str(Path(sys.executable).with_name("costplane"))
SHOWBACK = f"/api/v1/cost/showback?period={DEMO_PERIOD}"


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


def test_requests_see_a_whole_allocation_or_none_while_allocate_writes(server: Server) -> None:
    with server.client() as client:
        before = client.get(SHOWBACK).json()
    # Spreading idle capacity over tenants changes every tenant's cost once allocated.
    catalog = server.home / "costplane.yaml"
    catalog.write_text(catalog.read_text() + "allocation:\n  share_idle: true\n")
    answers: list[tuple[int, str, float, float]] = []
    writing: list[float] = []  # when the writer's holder note was seen on the warehouse
    writer_done = threading.Event()

    def ask() -> None:
        with server.client() as client:
            while not writer_done.is_set():
                asked = time.monotonic()
                answer = client.get(SHOWBACK)
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
        # Five days: many answers while it writes (tens, on two loaded cores), and a change.
        days = ["--from", f"{DEMO_PERIOD}-01", "--to", f"{DEMO_PERIOD}-05"]
        writer = subprocess.run(
            [COSTPLANE, "--home", str(server.home), "allocate", *days],
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
    with server.client() as client:
        after = client.get(SHOWBACK).json()
    assert tenant_total(after) != tenant_total(before)
    report = ["report", "showback", "--period", DEMO_PERIOD, "-o", "json"]
    printed = subprocess.run(
        [COSTPLANE, "--home", str(server.home), *report],
        capture_output=True,
        text=True,
        env=environment(),
        check=True,
    )
    assert {**after, "notes": None} == {**json.loads(printed.stdout), "notes": None}
    assert after["total"]["total"] == before["total"]["total"]  # the same bill, spread
    assert writing, "the allocation was seen holding the warehouse"
    during = [a for a in answers if writing[0] <= a[2] and a[3] <= writing[-1]]
    assert len(during) >= 2, "requests were asked and answered while allocate wrote"
    seen = set()
    for status, text, _, _ in answers:
        assert status == 200, text
        assert "locked" not in text
        document = httpx.Response(200, text=text).json()
        document.pop("notes")
        assert document["lines"] in (before["lines"], after["lines"])
        seen.add(tenant_total(document))
    assert seen <= {tenant_total(before), tenant_total(after)}
    assert "locked" not in server.log.read_text()
    assert " 500 " not in server.log.read_text()
