"""`costplane db upgrade`: bring the state store and the warehouse up to this version."""

from __future__ import annotations

import typer

from costplane.masked_url import masked_url
from costplane.state import state_engine
from costplane.state import upgrade as upgrade_state
from costplane.surfaces.cli.output import console
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Create or migrate the state store and the warehouse.")


@app.command()
def upgrade(ctx: typer.Context) -> None:
    """Run the state store's migrations and create or extend the warehouse tables."""
    project = project_of(ctx)
    settings = project.settings
    if settings.state_url is None or settings.warehouse_url is None:
        settings.ensure_data_dir()
    engine = state_engine(settings.state_target)
    try:
        before, after = upgrade_state(engine)
    finally:
        engine.dispose()
    state_change = "up to date" if before == after else f"{before or 'empty'} -> {after}"
    console.print(f"state store {masked_url(settings.state_target)}: {state_change}", markup=False)
    with project.warehouse(ensure_schema=False) as warehouse:
        changes = warehouse.ensure_schema()
    summary = "; ".join(changes) if changes else "up to date"
    console.print(f"warehouse {warehouse.url}: {summary}", markup=False)
