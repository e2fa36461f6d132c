"""`costplane ingest fleet DIR` and `costplane ingest history`."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer

from costplane.settings import CATALOG_FILE
from costplane.sources import fleet_loads, ingest
from costplane.sources.fleet import read_manifest, verify_files
from costplane.state import IngestRun, recent_runs
from costplane.surfaces.cli.output import Column, OutputFormat, err_console, render
from costplane.surfaces.cli.project import Project, project_of
from costplane.warehouse import LoadResult

app = typer.Typer(help="Load data into the warehouse (idempotent: a reload replaces).")

RESULT_COLUMNS = [
    Column("table"),
    Column("source"),
    Column("scope"),
    Column("period_start", "from"),
    Column("period_end", "to"),
    Column("rows", numeric=True),
    Column("replaced", numeric=True),
]


@app.command()
def fleet(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., exists=True, file_okay=False, help="A generated fleet."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Load a generated fleet; its catalog becomes the project's when the project has none."""
    project = project_of(ctx)
    adopt_catalog(project, directory)
    results = ingest_fleet(project, directory)
    render([_result_row(r) for r in results], RESULT_COLUMNS, output, title="loaded")


def adopt_catalog(project: Project, directory: Path) -> None:
    """Give a project without a catalog the fleet's (checked against fleet.json first)."""
    target = project.settings.catalog_path
    if target.exists():
        return
    verify_files(directory, read_manifest(directory), [CATALOG_FILE])
    project.settings.home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(directory / CATALOG_FILE, target)
    err_console.print(f"{target}: catalog copied from the fleet", markup=False)


def ingest_fleet(project: Project, directory: Path) -> list[LoadResult]:
    loads = fleet_loads(directory, project.catalog().labels)
    with project.warehouse() as warehouse, err_console.status("loading into the warehouse"):
        return ingest(warehouse, project.state(), loads)


@app.command()
def history(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="How many runs, newest first."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """The loads asked for, newest first, with how they ended."""
    runs = recent_runs(project_of(ctx).state(), limit)
    render([_history_row(run) for run in runs], HISTORY_COLUMNS, output, title="ingest history")


HISTORY_COLUMNS = [
    Column("id", numeric=True),
    Column("finished_at", "finished"),
    Column("table"),
    Column("source"),
    Column("scope"),
    Column("period_start", "from"),
    Column("period_end", "to"),
    Column("rows", numeric=True),
    Column("replaced", numeric=True),
    Column("status"),
    Column("error"),
]


def _result_row(result: LoadResult) -> dict[str, object]:
    return {
        "table": result.table,
        "source": result.source,
        "scope": result.scope,
        "period_start": result.period_start,
        "period_end": result.period_end,
        "rows": result.rows_written,
        "replaced": result.rows_replaced,
    }


def _history_row(run: IngestRun) -> dict[str, object]:
    return {
        "id": run.id,
        "finished_at": run.finished_at,
        "table": run.table_name,
        "source": run.source,
        "scope": run.scope,
        "period_start": run.period_start,
        "period_end": run.period_end,
        "rows": run.rows,
        "replaced": run.replaced_rows,
        "status": run.status,
        "error": run.error,
    }
