"""The pieces a scrape test needs: a copy of the demo project with collector runs in it,
`/metrics` served over HTTP, and a real Prometheus (Debian's package) scraping it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from costplane.service import Project
from costplane.settings import Settings
from costplane.state import SourceRun, record_source_run
from costplane.surfaces.metrics import metrics_app
from tests.sources.prometheus.server import binaries, free_port

HOURS_AGO = 2
"""How long before the copy was made the kubernetes collector last succeeded."""


def demo_copy(demo_home: Path, into: Path) -> Path:
    """The demo project copied (it is shared, read-only), with two collector runs: the
    kubernetes collector succeeded HOURS_AGO, the prometheus one only ever failed."""
    home = into / "demo"
    shutil.copytree(demo_home, home)
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


@contextmanager
def metrics_server(home: Path) -> Iterator[str]:
    """`/metrics` of the project at `home` on a free loopback port (uvicorn, in a thread)."""
    port = free_port()
    config = uvicorn.Config(
        metrics_app(Project(Settings(home=home))), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{url}/metrics"), "the metrics server to answer")
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=60).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def prometheus_scraping(target: str, folder: Path) -> Iterator[str]:
    """A real Prometheus scraping `target` (host:port) every second; yields its URL once a
    scrape has stored the costplane series."""
    _, server = binaries()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, scrape_timeout: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: costplane\n"
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
