"""Running `costplane` the two ways users and scripts do: in-process and as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app

Run = Callable[..., "Result"]


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke the Typer app in-process, with stdout and stderr kept apart."""
    for name in ("COSTPLANE_HOME", "COSTPLANE_STATE_URL", "COSTPLANE_WAREHOUSE_URL"):
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        result = CliRunner().invoke(app, list(args), env=env)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def costplane() -> Run:
    """Run the installed `costplane` entry point as a separate process."""
    executable = Path(sys.executable).with_name("costplane")

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("COSTPLANE_")}
        done = subprocess.run(
            [str(executable), *args],
            capture_output=True,
            text=True,
            env={**clean, **(env or {})},
            timeout=600,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run
