"""`costplane demo` without --no-serve: the demo, then an admin token and the URL printed,
then the server, answering that token."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx

from tests.surfaces.server.test_serving_beside_writers import COSTPLANE, environment, free_port

TOKEN = re.compile(r"^cpt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$")


def test_the_demo_serves_what_it_built_with_a_token_it_prints(tmp_path: Path) -> None:
    port = free_port()
    args = ["--home", str(tmp_path / "demo"), "demo", "--tenants", "4", "--days", "2"]
    with subprocess.Popen(
        [COSTPLANE, *args, "--start", "2026-10-01", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**environment(), "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
    ) as process:
        try:
            answer = _served(process, port)
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] == 4


def _served(process: subprocess.Popen[str], port: int) -> httpx.Response:
    """The server's answer to the token the demo printed, once it answers."""
    assert process.stdout is not None
    printed = []
    for line in process.stdout:  # the demo's summary, then the serving lines
        printed.append(line.rstrip("\n"))
        if TOKEN.match(printed[-1]):
            break
    token = printed[-1]
    assert TOKEN.match(token), "\n".join(printed)
    assert f"Serving the demo at http://127.0.0.1:{port}/" in printed[-2]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(
                url + "/api/v1/tenants", headers={"Authorization": f"Bearer {token}"}
            )
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the demo's server did not answer"
            assert process.poll() is None
            time.sleep(0.1)  # polling the port
    return answer
