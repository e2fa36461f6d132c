"""`costplane export ...`: the allocation in formats other tools read."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from costplane.allocation import DEFAULT_PROVIDER, FocusExport, Window
from costplane.money import cents
from costplane.service import FocusRequest, export_month
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Export the allocation for other tools: FOCUS 1.2, Parquet or CSV.")


@app.command()
def focus(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="A month, YYYY-MM."),
    out: Path = typer.Option(
        ...,
        "--out",
        help="The file to write: .parquet, .csv or .csv.gz, the format following the name; "
        "written under a temporary name, then renamed.",
        dir_okay=False,
    ),
    provider: str = typer.Option(
        DEFAULT_PROVIDER,
        "--provider",
        help="ProviderName, PublisherName, InvoiceIssuerName and BillingAccountName.",
    ),
    billing_account: str | None = typer.Option(
        None,
        "--billing-account",
        help="BillingAccountId (default: the provider name in lower case with dashes).",
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Write the allocated cost of a month as FOCUS 1.2: Parquet, CSV or gzipped CSV.

    The platform is the provider, each tenant a SubAccount. One row per day,
    tenant, environment, service class, cost domain, kind, source and
    namespace; untenanted cost (idle, unallocated) has no SubAccountId, so
    BilledCost adds up to the allocation exactly. Allocate the month first
    (`costplane allocate`). Columns: docs/focus-export.md.
    """
    window = Window.month(period)
    request = FocusRequest(window, out, provider=provider, billing_account=billing_account)
    export = export_month(project_of(ctx), request)
    summary = _summary(period, export)
    if output is OutputFormat.JSON:
        emit_json(summary)
        return
    if output is OutputFormat.TABLE:
        summary = {k: cents(v) if isinstance(v, Decimal) else v for k, v in summary.items()}
    render([summary], COLUMNS, output, title=f"FOCUS 1.2, {window.label}, {export.currency}")


COLUMNS = [
    Column("path"),
    Column("period"),
    Column("rows", numeric=True),
    Column("sub_accounts", "sub accounts", numeric=True),
    Column("currency"),
    Column("billed_cost", "billed cost", numeric=True),
    Column("effective_cost", "effective cost", numeric=True),
]


def _summary(period: str, export: FocusExport) -> dict[str, Any]:
    return {
        "path": export.path,
        "period": period,
        "rows": export.rows,
        "sub_accounts": export.sub_accounts,
        "currency": export.currency,
        "billed_cost": export.billed_cost,
        "effective_cost": export.effective_cost,
    }
