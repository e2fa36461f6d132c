"""`costplane catalog validate|schema`."""

from __future__ import annotations

from pathlib import Path

import typer

from costplane.catalog import catalog_schema
from costplane.surfaces.cli.output import console, emit_json
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Check the catalog (costplane.yaml) and print its JSON Schema.")


@app.command()
def validate(
    ctx: typer.Context,
    file: Path | None = typer.Argument(
        None, help="Catalog file (default: costplane.yaml in the project).", dir_okay=False
    ),
) -> None:
    """Check a catalog; every problem is printed as FILE:LINE:COLUMN: message (exit 2)."""
    project = project_of(ctx)
    path = file or project.settings.catalog_path
    catalog = project.catalog(path)
    console.print(
        f"{path}: valid — {len(catalog.service_classes)} service classes, "
        f"{len(catalog.tenants)} tenants, {len(catalog.budgets)} budgets, "
        f"currency {catalog.currency}",
        markup=False,
    )


@app.command()
def schema() -> None:
    """Print the catalog's JSON Schema (for editors and CI)."""
    emit_json(catalog_schema())
