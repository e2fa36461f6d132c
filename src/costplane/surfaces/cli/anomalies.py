"""`costplane anomalies --period YYYY-MM`: days whose cost ran above its baseline.

Per tenant and cost domain, and per cluster and cost domain, each allocated day of the
month is compared with a weekday-adjusted median of the weeks before it; the method and
its measured precision and recall are in docs/budgets.md.
"""

from __future__ import annotations

from decimal import Decimal

import typer

from costplane.money import cents
from costplane.service import AnomaliesRequest, anomalies_document, anomalies_report
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

COLUMNS = [
    Column("day"),
    Column("tenant"),
    Column("cluster"),
    Column("cost_domain", "domain"),
    Column("expected", numeric=True),
    Column("actual", numeric=True),
    Column("excess", numeric=True),
    Column("driver"),
    Column("score", numeric=True),
]


def anomalies(
    ctx: typer.Context,
    period: str = typer.Option(..., "--period", help="A month, YYYY-MM."),
    k: Decimal | None = typer.Option(
        None, "--k", help="Spreads above the expected amount that make an anomaly (default 5)."
    ),
    min_excess: Decimal | None = typer.Option(
        None, "--min-excess", help="Least excess money a day worth reporting (default 0.10)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Days a tenant's (or a cluster's) cost in a domain ran above its baseline.

    Each row has the expected amount, the actual, the excess money and the driver: the
    namespace, tenant or bill line that grew most. A tenant's rows have no cluster; a
    cluster's rows have no tenant. JSON and CSV amounts are exact; the table rounds them.
    """
    report = anomalies_report(project_of(ctx), AnomaliesRequest.of(period, k, min_excess))
    for note in report.notes:
        err_console.print(f"note: {note}", markup=False, soft_wrap=True)
    document = anomalies_document(report)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    rows = document["anomalies"]
    if output is OutputFormat.TABLE:
        rows = [
            {**row, **{key: cents(Decimal(row[key])) for key in ("expected", "actual", "excess")}}
            for row in rows
        ]
    title = f"Anomalies {report.body.period}, {report.currency}"
    render(rows, COLUMNS, output, title=title)
