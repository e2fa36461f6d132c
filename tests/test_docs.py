"""The docs say what the code does: the CLI reference is regenerated, never hand-edited."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_cli_reference_is_current() -> None:
    typer = Path(sys.executable).with_name("typer")
    done = subprocess.run(
        [
            str(typer),
            "costplane.surfaces.cli.app",
            "utils",
            "docs",
            "--name",
            "costplane",
            "--title",
            "Command reference",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == (ROOT / "docs" / "cli.md").read_text().strip(), (
        "docs/cli.md is stale: run `make docs`"
    )


def test_readme_opens_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text()[:600]
    assert "make demo" in head
    assert "make test" in head


def test_every_doc_the_readme_links_exists() -> None:
    readme = (ROOT / "README.md").read_text()
    for link in (
        "docs/architecture.md",
        "docs/catalog.md",
        "docs/warehouse.md",
        "docs/fleet.md",
        "docs/performance.md",
        "docs/cli.md",
        "docs/deploy.md",
    ):
        assert link in readme, f"README does not link {link}"
        assert (ROOT / link).is_file(), f"{link} is missing"
