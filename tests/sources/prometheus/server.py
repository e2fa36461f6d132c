"""A real Prometheus (Debian's `prometheus` and `promtool`) over backfilled OpenMetrics,
and a loopback proxy in front of it that counts, checks credentials and fails on demand.

The server runs on a free loopback port over a TSDB made by `promtool tsdb
create-blocks-from openmetrics`, with a retention long enough for old samples
(the default 15 days would delete them on start), and is stopped by its PID.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest


def binaries() -> tuple[str, str]:
    """promtool and prometheus; a test without them skips (fails under REQUIRE_SERVICES)."""
    promtool, server = shutil.which("promtool"), shutil.which("prometheus")
    if promtool is None or server is None:
        message = "Debian's prometheus package (prometheus, promtool) is not installed"
        if os.environ.get("COSTPLANE_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} (COSTPLANE_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return promtool, server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


MAX_BLOCK = "--max-block-duration=744h"
"""promtool parses the whole file once per block; its default 2-hour blocks make that slow."""


def backfill(openmetrics: Path, tsdb: Path) -> None:
    promtool, _ = binaries()
    done = subprocess.run(
        [
            promtool,
            "tsdb",
            "create-blocks-from",
            "openmetrics",
            MAX_BLOCK,
            str(openmetrics),
            str(tsdb),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


@contextmanager
def prometheus_server(tsdb: Path) -> Iterator[str]:
    """Prometheus over `tsdb` on loopback until the block ends; yields its URL."""
    _, server = binaries()
    config = tsdb.parent / f"{tsdb.name}.yml"
    config.write_text("scrape_configs: []\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tsdb.parent / f"{tsdb.name}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                server,
                f"--config.file={config}",
                f"--storage.tsdb.path={tsdb}",
                "--storage.tsdb.retention.time=10y",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 120
            while not _ready(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"prometheus did not become ready:\n{log.read_text()[-2000:]}")
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/-/ready", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


Rule = Callable[[str, str], int | None]
"""(path, query text) -> a status to answer instead of forwarding, or None to forward."""


@dataclass
class Proxy:
    """What the proxy saw: per request its path, query text, headers, status and points."""

    url: str
    requests: list[dict[str, object]] = field(default_factory=list)
    rule: Rule = lambda path, query: None
    token: str | None = None
    """When set, requests without `Authorization: Bearer <token>` get 401."""

    def queries(self) -> list[dict[str, object]]:
        return [r for r in self.requests if r["path"] == "/api/v1/query_range"]


@contextmanager
def proxy_to(upstream: str) -> Iterator[Proxy]:
    """A loopback HTTP server forwarding to `upstream`, recording and failing on demand."""
    port = free_port()
    proxy = Proxy(f"http://127.0.0.1:{port}")
    lock = threading.Lock()
    client = httpx.Client(base_url=upstream, timeout=120)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            self._answer("GET", path, query.encode())

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self._answer("POST", self.path, body)

        def _answer(self, method: str, path: str, body: bytes) -> None:
            form = parse_qs(body.decode())
            query = form.get("query", [""])[0]
            record: dict[str, object] = {
                "path": path,
                "query": query,
                "start": form.get("start", [""])[0],
                "end": form.get("end", [""])[0],
                "headers": dict(self.headers.items()),
                "points": 0,
            }
            status = proxy.rule(path, query)
            if proxy.token and self.headers.get("Authorization") != f"Bearer {proxy.token}":
                status = 401
            if status is not None:
                payload = json.dumps(
                    {"status": "error", "errorType": "test", "error": f"refused with {status}"}
                ).encode()
            else:
                if method == "GET":
                    upstream_answer = client.get(f"{path}?{body.decode()}")
                else:
                    upstream_answer = client.post(
                        path,
                        content=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
                status, payload = upstream_answer.status_code, upstream_answer.content
                if path == "/api/v1/query_range" and status == 200:
                    result = json.loads(payload)["data"]["result"]
                    record["points"] = sum(len(s["values"]) for s in result)
            record["status"] = status
            with lock:
                proxy.requests.append(record)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        client.close()
