"""`costplane budgets status`: each budget's actual, month-end forecast and thresholds.

The method is in docs/budgets.md. Each threshold crossed (by the actual or by the
forecast) is kept as an alert in the state store and announced once: `new` marks the
alerts this run raised.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import typer

from costplane.money import cents
from costplane.service import BudgetsRequest, budgets_document, budgets_report
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Budgets of the catalog: actual, month-end forecast, thresholds, alerts.")

COLUMNS = [
    Column("budget"),
    Column("scope"),
    Column("monthly_amount", "budget", numeric=True),
    Column("actual", numeric=True),
    Column("actual_percent", "actual %", numeric=True),
    Column("forecast", "forecast (month end)", numeric=True),
    Column("forecast_percent", "forecast %", numeric=True),
    Column("crossed"),
    Column("alerts"),
]


@app.command()
def status(
    ctx: typer.Context,
    period: str | None = typer.Option(
        None, "--period", help="A month, YYYY-MM (default: the newest allocated month)."
    ),
    record: bool = typer.Option(
        True, "--record/--no-record", help="Keep crossings as alerts (each raised once)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Per budget: actual to date, the month-end forecast, and the thresholds they cross.

    The forecast adds a run rate with the week's pattern to the actual (docs/budgets.md).
    A crossing is an alert, raised once per budget, threshold, basis (actual or forecast)
    and month; `new` marks those this run raised. JSON and CSV amounts are exact.
    """
    report = budgets_report(project_of(ctx), BudgetsRequest.of(period, record))
    document = budgets_document(report)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    rows = [_row(budget, output) for budget in document["budgets"]]
    state = report.status
    shown = "no day allocated" if state.as_of is None else f"to {state.as_of}"
    title = (
        f"Budgets {state.period} ({state.allocated_days} of {state.days_in_month} days, "
        f"{shown}), {report.currency}"
    )
    render(rows, COLUMNS, output, title=title)
    raised = sum(1 for alert in report.alerts if alert.new)
    if raised:
        err_console.print(f"{raised} new budget alert(s) raised", markup=False)


def _row(budget: dict[str, Any], output: OutputFormat) -> dict[str, Any]:
    scope = ", ".join(f"{k}={v}" for k, v in budget["scope"].items()) or "platform"
    crossed = [
        f"{t['percent']}%" + ("" if t["actual_crossed"] else " (forecast)")
        for t in budget["thresholds"]
        if t["actual_crossed"] or t["forecast_crossed"]
    ]
    raised = sum(1 for alert in budget["alerts"] if alert["new"])
    alerts = f"{len(budget['alerts'])}" + (f" ({raised} new)" if raised else "")
    row = {**budget, "scope": scope, "crossed": "; ".join(crossed), "alerts": alerts}
    if output is OutputFormat.TABLE:
        for key in ("monthly_amount", "actual", "forecast"):
            row[key] = cents(Decimal(row[key]))
    return row
