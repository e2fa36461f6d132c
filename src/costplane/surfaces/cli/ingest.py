"""`costplane ingest fleet DIR`, `ingest focus FILE...`, `ingest history`, `ingest restore ID`."""

from __future__ import annotations

from pathlib import Path

import typer

from costplane.service import (
    LoadFate,
    adopt_fleet_catalog,
    ingest_fleet,
    ingest_focus,
    ingest_history,
    restore_load,
)
from costplane.sources.focus import (
    FOCUS_VERSIONS,
    FocusFile,
    FocusOptions,
    byte_size,
)
from costplane.state import IngestRun
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of
from costplane.warehouse import LoadResult

app = typer.Typer(help="Load data into the warehouse (idempotent: a reload replaces).")

REPLACE_HELP = (
    "Replace a loaded period even with materially less: more than 10 % fewer rows or "
    "less billed cost (refused otherwise). The replaced load is kept either way."
)

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
    replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Load a generated fleet; its catalog becomes the project's when the project has none."""
    project = project_of(ctx)
    adopted = adopt_fleet_catalog(project, directory)
    if adopted is not None:
        err_console.print(f"{adopted}: catalog copied from the fleet", markup=False)
    results = ingest_fleet(project, directory, allow_shrink=replace)
    render([_result_row(r) for r in results], RESULT_COLUMNS, output, title="loaded")


@app.command()
def focus(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ...,
        exists=True,
        dir_okay=False,
        metavar="FILE",
        help="FOCUS billing files: CSV, gzip CSV or Parquet.",
    ),
    quarantine: Path | None = typer.Option(
        None,
        "--quarantine",
        file_okay=False,
        help="Load the good rows and write the bad ones to this directory, with the reason.",
    ),
    focus_version: str | None = typer.Option(
        None,
        "--focus-version",
        metavar="<version>",
        help=f"Check the mandatory columns of this version ({', '.join(FOCUS_VERSIONS)}) "
        "instead of the version the columns show.",
    ),
    date_format: list[str] = typer.Option(
        [],
        "--date-format",
        metavar="<format>",
        help="Also read dates written this way (strptime, e.g. %m/%d/%y for 5/1/25), as UTC; "
        "repeatable. ISO 8601 is always read.",
    ),
    billing_account_id: str | None = typer.Option(
        None,
        "--billing-account-id",
        metavar="<id>",
        help="The account of files without a BillingAccountId column.",
    ),
    billing_currency: str | None = typer.Option(
        None,
        "--billing-currency",
        metavar="<code>",
        help="The currency of files without a BillingCurrency column.",
    ),
    allow_missing_columns: bool = typer.Option(
        False,
        "--allow-missing-columns",
        help="Load files that lack mandatory FOCUS columns other than those a row needs "
        "(account, currency, periods, BilledCost, EffectiveCost); they are stored as null.",
    ),
    max_csv_size: str = typer.Option(
        "1Gi",
        "--max-csv-size",
        metavar="<size>",
        help="The most CSV text, once decompressed, one command reads in memory (about "
        "3 bytes of memory a byte), e.g. 4Gi. Parquet bills have no such bound.",
    ),
    max_record_size: str = typer.Option(
        "16Mi", "--max-record-size", metavar="<size>", help="The longest CSV record read."
    ),
    replace: bool = typer.Option(False, "--replace", help=REPLACE_HELP),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Load FOCUS billing files; a billing period of an account loaded again is replaced.

    Every row is checked first; a file with bad rows is refused whole and nothing is
    written, unless --quarantine. Files in one command land in one transaction, and rows
    of the same account and billing period from several files are one load. A reload
    with materially less than the period holds is refused unless --replace."""
    options = FocusOptions(
        focus_version=focus_version,
        date_formats=tuple(date_format),
        billing_account_id=billing_account_id,
        billing_currency=billing_currency,
        allow_missing_columns=allow_missing_columns,
        quarantine=quarantine,
        max_csv_bytes=byte_size("--max-csv-size", max_csv_size),
        max_record_bytes=byte_size("--max-record-size", max_record_size),
    )
    loaded = ingest_focus(project_of(ctx), files, options, allow_shrink=replace)
    results = loaded.results
    for file in loaded.files:
        if file.quarantine_file is not None:
            err_console.print(
                f"{file.path}: {file.quarantined:,} rows with problems written to "
                f"{file.quarantine_file} (x_QuarantineReason says why); {file.rows:,} rows loaded",
                markup=False,
                soft_wrap=True,
            )
    written = sum(r.rows_written for r in results)
    replaced = sum(r.rows_replaced for r in results)
    err_console.print(
        f"loaded {written:,} rows in {len(results)} billing period"
        f"{'s' if len(results) != 1 else ''} ({replaced:,} rows of earlier loads replaced)",
        markup=False,
    )
    if output is OutputFormat.JSON:
        emit_json({"files": [_focus_document(file) for file in loaded.files]})
    else:
        render([_focus_row(file) for file in loaded.files], FOCUS_COLUMNS, output, title="loaded")


FOCUS_COLUMNS = [
    Column("path"),
    Column("rows", numeric=True),
    Column("billing_periods", "billing periods"),
    Column("currency"),
    Column("billed_cost", "billed", numeric=True),
    Column("effective_cost", "effective", numeric=True),
    Column("list_cost", "list", numeric=True),
]


def _focus_document(file: FocusFile) -> dict[str, object]:
    """One file as `--output json` prints it: costs are exact decimal strings."""
    return {
        "path": str(file.path),
        "rows": file.rows,
        "billing_periods": [{"start": start, "end": end} for start, end in file.billing_periods],
        "currency": file.currency,
        "billed_cost": file.billed_cost,
        "effective_cost": file.effective_cost,
        "list_cost": file.list_cost,
    }


def _focus_row(file: FocusFile) -> dict[str, object]:
    periods = " ".join(f"{s.isoformat()}/{e.isoformat()}" for s, e in file.billing_periods)
    return {**_focus_document(file), "billing_periods": periods}


@app.command()
def history(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, help="How many runs, newest first."),
    replaced: bool = typer.Option(
        False, "--replaced", help="Only the runs whose load was replaced and is kept."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """The loads asked for, newest first, with how they ended and what became of each.

    A load replaced by a later one is kept (state `replaced`):
    `costplane ingest restore LOAD_ID` brings it back."""
    found = ingest_history(project_of(ctx), limit, replaced_only=replaced)
    if found.warning is not None:
        err_console.print(f"warning: {found.warning}", markup=False, soft_wrap=True)
    rows = [_history_row(run, found.fate(run)) for run in found.runs]
    render(rows, HISTORY_COLUMNS, output, title="ingest history")


@app.command()
def restore(
    ctx: typer.Context,
    load_id: int = typer.Argument(..., metavar="LOAD_ID", help="A replaced load (ingest history)."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Bring a replaced load back; the load it replaces is kept, so this can be undone too."""
    result = restore_load(project_of(ctx), load_id)
    err_console.print(
        f"restored load {load_id} as load {result.load_id}: {result.rows_written:,} rows "
        f"({result.rows_replaced:,} rows of load {result.replaced_load_id} replaced and kept)",
        markup=False,
        soft_wrap=True,
    )
    row = {**_result_row(result), "load_id": result.load_id, "restored_from": load_id}
    render([row], RESTORE_COLUMNS, output, title="restored")


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
    Column("load_id", "load", numeric=True),
    Column("replaced_load_id", "replaced load", numeric=True),
    Column("restored_from", "restored from", numeric=True),
    Column("load_state", "now"),
    Column("replaced_by", "by", numeric=True),
]


RESTORE_COLUMNS = [
    Column("load_id", "load", numeric=True),
    Column("restored_from", "restored from", numeric=True),
    *RESULT_COLUMNS,
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


def _history_row(run: IngestRun, fate: LoadFate | None) -> dict[str, object]:
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
        "load_id": run.load_id,
        "replaced_load_id": None if fate is None else fate.replaced_load_id,
        "restored_from": None if fate is None else fate.restored_from,
        "load_state": None if fate is None else fate.state,
        "replaced_by": None if fate is None else fate.replaced_by,
    }
