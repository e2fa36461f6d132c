"""The command line: `costplane` (Typer + Rich)."""

from costplane.surfaces.cli.app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
