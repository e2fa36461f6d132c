"""The pieces a scrape test needs: a copy of the demo project with collector runs in it,
`costplane serve` over it as a real process, and a real Prometheus (Debian's package)
scraping its `/metrics` with a token."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from costplane.service import Project, Role, TokenRequest, create_token
from costplane.settings import Settings
from costplane.state import SourceRun, record_source_run
from tests.sources.prometheus.server import binaries, free_port
from tests.surfaces.server.conftest import TENANT, copy_project
from tests.surfaces.server.test_serving_beside_writers import COSTPLANE, environment

HOURS_AGO = 2
"""How long before the copy was made the kubernetes collector last succeeded."""


def demo_copy(demo_home: Path, into: Path) -> Path:
    """The demo project copied (it is shared, read-only), with two collector runs: the
    kubernetes collector succeeded HOURS_AGO, the prometheus one only ever failed."""
    home = copy_project(demo_home, into / "demo")
    project = Project(Settings(home=home))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    done = now - dt.timedelta(hours=HOURS_AGO)
    for source, target, status, at in (
        ("kubernetes", "https://k8s.example:6443", "ok", done),
        ("prometheus", "http://prom.example:9090", "failed", now),
    ):
        error = "connection refused" if status == "failed" else None
        run = SourceRun(
            source=source,
            target=target,
            status=status,
            rows=10,
            error=error,
            started_at=at,
            finished_at=at,
        )
        record_source_run(project.state(), run)
    project.close()
    return home


@dataclass(frozen=True)
class Serving:
    url: str
    tokens: dict[str, str]
    """A token per role name (`tenant`: TENANT's)."""
    log: Path

    def token_file(self, role: str, folder: Path) -> Path:
        """The token in a file, as Prometheus reads it (`credentials_file`)."""
        path = folder / f"{role}.token"
        path.write_text(self.tokens[role])
        return path


@contextmanager
def costplane_serve(home: Path) -> Iterator[Serving]:
    """`costplane serve` of the project at `home` as a real process on a free loopback
    port, with a token of every role made first; stopped by its PID."""
    project = Project(Settings(home=home))
    tokens = {}
    for role in Role:
        tenant = TENANT if role is Role.TENANT else None
        request = TokenRequest(role, tenant, subject=f"{role}-scraper")
        tokens[role.value] = create_token(project, request).token
    project.close()
    port, log = free_port(), home.parent / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [COSTPLANE, "--home", str(home), "serve", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=environment(),
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: _answers(f"{url}/readyz"),
            "costplane serve to get ready",
            log,
            alive=lambda: process.poll() is None,
        )
        yield Serving(url, tokens, log)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=10).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def prometheus_scraping(target: str, token: Path, folder: Path) -> Iterator[str]:
    """A real Prometheus scraping `target` (host:port) every 2 s with the bearer token
    in the file `token`; yields its URL once a scrape has stored the costplane series."""
    _, server = binaries()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 2s, scrape_timeout: 2s}\n"  # slack for a loaded CI machine
        "scrape_configs:\n"
        "  - job_name: costplane\n"
        f"    authorization: {{type: Bearer, credentials_file: '{token}'}}\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
    )
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = folder / "prometheus.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                server,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for(
                lambda: bool(series(url, "costplane_metrics_computed_timestamp_seconds")),
                "prometheus to store a scrape",
                log,
                alive=lambda: process.poll() is None,
            )
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def series(url: str, promql: str) -> list[dict[str, Any]]:
    """The instant vector `promql` evaluates to, now; [] while Prometheus is not up."""
    try:
        answer = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10)
    except httpx.TransportError:
        return []
    if answer.status_code == 503:  # starting: "Service Unavailable" in text, until the TSDB is up
        return []
    body = answer.json()
    assert body["status"] == "success", body
    found: list[dict[str, Any]] = body["data"]["result"]
    return found


def wait_for(
    done: Callable[[], bool],
    what: str,
    log: Path | None = None,
    *,
    alive: Callable[[], bool] = lambda: True,
    seconds: float = 120,
) -> None:
    """Poll `done` until it holds; fail with the log's tail if `alive` stops or time runs out."""
    deadline = time.monotonic() + seconds
    while not done():
        if not alive() or time.monotonic() > deadline:
            tail = log.read_text()[-2000:] if log is not None else ""
            pytest.fail(f"timed out waiting for {what}\n{tail}")
        time.sleep(0.2)
