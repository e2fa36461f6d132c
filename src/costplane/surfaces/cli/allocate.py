"""`costplane allocate`: place every billed amount on a tenant, shared, idle or unallocated."""

from __future__ import annotations

import datetime as dt

import typer

from costplane.allocation import Window
from costplane.errors import InputError
from costplane.service import allocate_days
from costplane.surfaces.cli.output import Column, OutputFormat, err_console, render
from costplane.surfaces.cli.project import project_of


def allocate(
    ctx: typer.Context,
    start: dt.datetime | None = typer.Option(
        None, "--from", formats=["%Y-%m-%d"], help="First day (UTC) to allocate."
    ),
    end: dt.datetime | None = typer.Option(
        None, "--to", formats=["%Y-%m-%d"], help="Last day (UTC) to allocate, inclusive."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Allocate the days given, or by default every day whose data changed since it was
    allocated; the days are replaced, never added to."""
    project = project_of(ctx)
    project.catalog()  # a missing or bad catalog is named before the dates are
    run = allocate_days(project, window_of(start, end))
    if run is None:
        err_console.print("nothing to allocate: every day with data is allocated and current")
        rows: list[dict[str, object]] = []
    else:
        rows = [
            {
                "from": run.window.start,
                "to": run.window.end - dt.timedelta(days=1),
                "days": len(run.window.days()),
                "rows": run.rows,
                "allocated_at": run.allocated_at,
            }
        ]
    render(rows, COLUMNS, output, title="allocated")


COLUMNS = [
    Column("from"),
    Column("to"),
    Column("days", numeric=True),
    Column("rows", numeric=True),
    Column("allocated_at", "allocated at"),
]


def window_of(start: dt.datetime | None, end: dt.datetime | None) -> Window | None:
    if start is None and end is None:
        return None
    if start is None or end is None:
        raise InputError("give both --from and --to, or neither")
    return Window(start.date(), end.date() + dt.timedelta(days=1))
