"""`costplane sources status`: each source's last success, last error and staleness."""

from __future__ import annotations

import datetime as dt

import typer

from costplane.service import collector_status, source_document
from costplane.surfaces.cli.output import Column, OutputFormat, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="What each collector last read, and when.")

COLUMNS = [
    Column("source"),
    Column("target"),
    Column("status"),
    Column("last_success", "last success"),
    Column("staleness_hours", "stale (h)", numeric=True),
    Column("last_error", "last error"),
    Column("missing"),
]


@app.command()
def status(
    ctx: typer.Context,
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """One line per source and target that ever ran: `failed` or a stale success needs a look."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [source_document(entry, now) for entry in collector_status(project_of(ctx))]
    if output is not OutputFormat.JSON:  # what the last run missed: one line for people
        rows = [{**row, "missing": "; ".join(row["missing"])} for row in rows]
    render(rows, COLUMNS, output, title="sources")
