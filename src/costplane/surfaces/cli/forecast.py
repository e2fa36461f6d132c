"""`costplane forecast ...`: database growth against the class bands, and spend ahead.

The methods, and the backtest that checks them, are in docs/forecasting.md. JSON
carries every forecast day and every field; the table and CSV one line per database
(or per group and month).
"""

from __future__ import annotations

from typing import Any

import typer

from costplane.money import cents
from costplane.quantity import GIB
from costplane.service import DatabaseForecastRequest, forecast_databases, forecast_spend
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Forecasts: database growth against the class bands, and spend ahead.")

OUTPUT = typer.Option(OutputFormat.TABLE, "--output", "-o")

DATABASE_COLUMNS = (
    Column("tenant"),
    Column("database"),
    Column("service_class", "class"),
    Column("size_gib", "size GiB", numeric=True),
    Column("band_max_gib", "band max GiB", numeric=True),
    Column("p50_gib", "p50 GiB at horizon", numeric=True),
    Column("p90_gib", "p90 GiB at horizon", numeric=True),
    Column("crosses_band_on", "crosses band on"),
    Column("next_service_class", "next class"),
    Column("monthly_cost_at_horizon", "monthly cost at horizon", numeric=True),
)
SPEND_COLUMNS = (
    Column("scope"),
    Column("key"),
    Column("month"),
    Column("actual_to_date", "actual to date", numeric=True),
    Column("p10", numeric=True),
    Column("p50", numeric=True),
    Column("p90", numeric=True),
    Column("method"),
)


def _gib(value: int | None) -> str | None:
    return None if value is None else f"{value / GIB:.1f}"


@app.command()
def databases(
    ctx: typer.Context,
    horizon: str = typer.Option(
        "90d", "--horizon", help="How far ahead: days or weeks (90d, 12w)."
    ),
    environment: str = typer.Option(
        "production",
        "--environment",
        help="Which environment's databases; `all` for every one (copies included).",
    ),
    output: OutputFormat = OUTPUT,
) -> None:
    """Each tenant database's size ahead (p10, p50, p90), the day it crosses its class's
    band, the class whose band comes after, and its storage cost at the horizon."""
    result = forecast_databases(project_of(ctx), DatabaseForecastRequest.of(horizon, environment))
    if output is OutputFormat.JSON:
        emit_json(result)
        return
    rows: list[dict[str, Any]] = [
        {
            "tenant": d.tenant,
            "database": d.database,
            "service_class": d.service_class,
            "size_gib": _gib(d.size_bytes),
            "band_max_gib": _gib(d.band_max_bytes),
            "p50_gib": _gib(d.forecast[-1].p50),
            "p90_gib": _gib(d.forecast[-1].p90),
            "crosses_band_on": d.crosses_band_on,
            "next_service_class": d.next_service_class,
            "monthly_cost_at_horizon": d.monthly_cost_at_horizon,
        }
        for d in result.databases
    ]
    title = f"database sizes in {result.horizon_days} days, {result.currency}"
    render(rows, DATABASE_COLUMNS, output, title=title)


@app.command()
def spend(ctx: typer.Context, output: OutputFormat = OUTPUT) -> None:
    """Allocated cost at the month's end and for the next three months (p10, p50, p90),
    in total and per tenant, service class and cost domain."""
    result = forecast_spend(project_of(ctx))
    if output is OutputFormat.JSON:
        emit_json(result)
        return
    groups = [("total", [result.total])]
    groups += [("tenant", list(result.tenants)), ("service_class", list(result.service_classes))]
    groups += [("cost_domain", list(result.cost_domains))]
    rows = [
        {
            "scope": scope,
            "key": forecast.key or "",
            "month": month.month,
            "actual_to_date": cents(month.actual_to_date),
            "p10": month.p10,
            "p50": month.p50,
            "p90": month.p90,
            "method": forecast.method,
        }
        for scope, forecasts in groups
        for forecast in forecasts
        for month in forecast.months
    ]
    title = f"allocated cost as of {result.as_of} ({result.history_days} days), {result.currency}"
    render(rows, SPEND_COLUMNS, output, title=title)
