"""`costplane report ...`: what the allocation says, for finance and for tenants."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import typer

from costplane.allocation import ReconciledDay, Window
from costplane.allocation import reconcile as reconcile_window
from costplane.money import cents
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Reports on the allocation: reconciliation with the bill, and more.")

PERIOD = typer.Option(..., "--period", help="A month, YYYY-MM.")


@app.command()
def reconcile(
    ctx: typer.Context,
    period: str = PERIOD,
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Per day: the bill, and what allocation placed (tenants, shared, idle, unallocated).

    `difference` is the bill minus everything placed; it is zero when the
    allocation is complete. Amounts are exact (nine decimals) in JSON and CSV.
    """
    project = project_of(ctx)
    window = Window.month(period)
    currency = project.catalog().currency
    with project.warehouse() as warehouse:
        days, total = reconcile_window(warehouse, window)
    if output is OutputFormat.JSON:
        emit_json(
            {
                "period": period,
                "currency": currency,
                "days": [_row(day) for day in days],
                "total": {k: v for k, v in _row(total).items() if k != "date"},
            }
        )
        return
    rows = [_row(day) for day in days] + [{**_row(total), "date": "total"}]
    if output is OutputFormat.TABLE:
        rows = [{k: _cents(v) for k, v in row.items()} for row in rows]
    render(rows, RECONCILE_COLUMNS, output, title=f"{window.label}, {currency}")


RECONCILE_COLUMNS = [
    Column("date"),
    *(
        Column(name, numeric=True)
        for name in ("billed", "allocated", "shared", "idle", "unallocated", "difference")
    ),
]


def _row(day: ReconciledDay) -> dict[str, Any]:
    return {
        "date": day.date,
        "billed": day.billed,
        "allocated": day.allocated,
        "shared": day.shared,
        "idle": day.idle,
        "unallocated": day.unallocated,
        "difference": day.difference,
    }


def _cents(value: Any) -> Any:
    return cents(value) if isinstance(value, Decimal) else value
