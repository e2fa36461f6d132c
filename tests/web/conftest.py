"""A real `costplane serve` over a copy of the session's demo project, tokens of each role
made with `costplane token create`, and one headless Chromium for the module."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from tests.web.browser import ROOT, chromium_executable

READY_SECONDS = 60


@dataclass(frozen=True)
class Served:
    url: str
    home: Path
    tokens: dict[str, str]
    """A token per role: admin, finance, engineer, viewer, and `tenant` (of `tenant`); the
    subject of each is `<role>-web`."""
    tenant: str
    """The tenant of the tenant token: the one with the costliest finding."""

    def api(self, path: str, **params: Any) -> Any:
        """The API's answer to an admin token (what the dashboard's numbers must equal)."""
        answer = httpx.get(
            f"{self.url}/api/v1{path}",
            params=params,
            headers={"Authorization": f"Bearer {self.tokens['admin']}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()


def _token(home: Path, role: str, tenant: str | None = None) -> str:
    args = ["--home", str(home), "token", "create", "--role", role, "--subject", f"{role}-web"]
    if tenant is not None:
        args += ["--tenant", tenant]
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("COSTPLANE_")}
    result = CliRunner().invoke(app, args, env=unset)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # printed once, alone on its last line


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"costplane serve exited with {server.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a starting process: no event to wait on
    pytest.fail(f"costplane serve did not answer {url}/healthz in {READY_SECONDS} s")


@pytest.fixture(scope="module")
def served(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("dashboard") / "demo"
    # The project the server reads (catalog and stores), not the fleet's 0.5 GB of source files.
    shutil.copytree(
        demo_home, home, ignore=lambda folder, names: ["fleet"] if folder == str(demo_home) else []
    )
    tokens = {role: _token(home, role) for role in ("admin", "finance", "engineer", "viewer")}
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    log = (tmp_path_factory.mktemp("dashboard-log") / "serve.log").open("wb")
    command = [str(Path(sys.executable).with_name("costplane")), "--home", str(home), "serve"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(url, server)
        findings = Served(url, home, tokens, "").api("/findings", limit=1)
        tenant = _items(findings)[0]["tenant"]
        tokens["tenant"] = _token(home, "tenant", tenant)
        yield Served(url, home, tokens, tenant)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


def _items(page: Any) -> list[dict[str, Any]]:
    """The rows of one of the API's pages of a list."""
    items: list[dict[str, Any]] = page["items"]
    return items


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watched:
    """A page and every console error and uncaught exception it has shown, and every
    request it made (the dashboard must fetch nothing from elsewhere)."""

    page: Page
    errors: list[str]
    requests: list[str]


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield made
    finally:
        made.close()


def watched(context: BrowserContext) -> Watched:
    page = context.new_page()
    seen = Watched(page, [], [])
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    return seen


def sign_in(context: BrowserContext, served: Served, role: str) -> Watched:
    """A page signed in through the login form with `role`'s token."""
    seen = watched(context)
    seen.page.goto(f"{served.url}/login")
    seen.page.fill("#token", served.tokens[role])
    seen.page.click("form.login button[type=submit]")
    seen.page.wait_for_load_state()
    return seen
