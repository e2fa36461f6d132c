"""One demo project for the CLI tests that need real data: built once, as `make demo` builds it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app

DEMO_ARGS = ["demo", "--start", "2026-10-01", "--no-serve"]
"""What `make demo` runs after `costplane --home demo` (the README says the same)."""
DEMO_PERIOD = "2026-10"


@dataclass(frozen=True)
class Demo:
    home: Path
    printed: str
    """What the demo printed on stdout."""


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A demo project in `<tmp>/demo`: 40 tenants, October 2026, allocated and governed."""
    home = tmp_path_factory.mktemp("readme") / "demo"
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("COSTPLANE_")}
    try:
        result = CliRunner().invoke(app, ["--home", str(home), *DEMO_ARGS])
        assert result.exit_code == 0, result.stderr
        yield Demo(home, result.stdout)
    finally:
        os.environ.update(saved)


@pytest.fixture(scope="session")
def demo_home(demo: Demo) -> Path:
    return demo.home
