"""`costplane sources status`: each source's last success, last error and staleness."""

from __future__ import annotations

import datetime as dt

import typer

from costplane.service import collector_status
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
    rows = []
    for entry in collector_status(project_of(ctx)):
        stale = entry.staleness(now)
        rows.append(
            {
                "source": entry.source,
                "target": entry.target,
                "status": entry.status,
                "last_success": entry.last_success,
                "staleness_hours": None
                if stale is None
                else round(stale.total_seconds() / 3600, 1),
                "last_error": entry.last_error,
                "last_error_at": entry.last_error_at,
                "missing": _missing(entry.missing, output),
            }
        )
    render(rows, COLUMNS, output, title="sources")


def _missing(missing: str | None, output: OutputFormat) -> list[str] | str:
    """What the last run missed: a list for programs, one line for people."""
    items = missing.splitlines() if missing else []
    return items if output is OutputFormat.JSON else "; ".join(items)
