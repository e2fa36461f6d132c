"""`costplane recommend ...`: what the platform should look like, with the money."""

from __future__ import annotations

import typer

from costplane.surfaces.cli import placement

app = typer.Typer(help="Recommendations with their reasons and money: placement.")
app.command("placement")(placement.placement)
