"""`costplane report ...`: what the allocation says, for finance and for tenants.

The rules of each report are in docs/reports.md. Every report reads one calendar
month (`--period YYYY-MM`) of the `allocations` table; a month with no allocated
day is an error (exit 2) that names the `costplane allocate` command to run.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import typer

from costplane.allocation import (
    Chargeback,
    FlaggedTenant,
    KindCosts,
    Period,
    ReconciledDay,
    Showback,
    ShowbackLine,
    TenantMargin,
    UnitCost,
    Window,
    allocated_period,
    dimensions,
    loaded_since,
)
from costplane.allocation import chargeback as chargeback_of
from costplane.allocation import margin as margin_of
from costplane.allocation import reconcile as reconcile_window
from costplane.allocation import showback as showback_of
from costplane.allocation import unit_cost as unit_cost_of
from costplane.catalog import ChargebackRules
from costplane.money import CENT, cents
from costplane.surfaces.cli.output import (
    Column,
    OutputFormat,
    console,
    emit_json,
    err_console,
    render,
)
from costplane.surfaces.cli.project import project_of
from costplane.warehouse import Warehouse

app = typer.Typer(
    help="Reports on the allocation: reconciliation, showback, chargeback, margin, unit cost."
)

PERIOD = typer.Option(..., "--period", help="A month, YYYY-MM.")
OUTPUT = typer.Option(OutputFormat.TABLE, "--output", "-o")
BY = typer.Option(
    "tenant",
    "--by",
    help="Comma-separated: tenant, and any of environment, service-class, domain.",
)


@app.command()
def reconcile(
    ctx: typer.Context,
    period: str = PERIOD,
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Per day: the bill, and what allocation placed (tenants, shared, idle, unallocated).

    `difference` is the bill minus everything placed; it is zero when the
    allocation is complete. Amounts are exact (nine decimals) in JSON and CSV; the
    table rounds each amount, and its totals are the exact sums rounded.
    """
    project = project_of(ctx)
    window = Window.month(period)
    currency = project.catalog().currency
    with project.warehouse(create=False) as warehouse:
        allocated = allocated_period(warehouse, window)
        days, total = reconcile_window(warehouse, window)
        note_coverage(warehouse, allocated, "a day not allocated shows its bill as difference")
    if output is OutputFormat.JSON:
        emit_json(
            {
                **header("reconcile", allocated, currency),
                "days": [_row(day) for day in days],
                "total": {k: v for k, v in _row(total).items() if k != "date"},
            }
        )
        return
    rows = [*(_row(day) for day in days), {**_row(total), "date": "total"}]
    if output is OutputFormat.TABLE:  # the exact amounts, each rounded (the total too)
        rows = [{k: _cents(v) for k, v in row.items()} for row in rows]
    render(rows, RECONCILE_COLUMNS, output, title=f"{window.label}, {currency}")
    if output is OutputFormat.TABLE:
        console.print(ROUNDED_NOTE)


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


# Showback and chargeback ---------------------------------------------------------------

KIND_COLUMNS = ("direct", "shared", "idle", "overhead", "unallocated")
DIMENSION_COLUMNS = {
    "tenant": Column("tenant"),
    "environment": Column("environment"),
    "service_class": Column("service_class", "service class"),
    "cost_domain": Column("cost_domain", "domain"),
}
UNTENANTED = {
    "unallocated": "(unallocated)",
    "idle": "(idle)",
    "shared": "(shared, no tenant)",
    "overhead": "(overhead, no tenant)",
}


@app.command()
def showback(
    ctx: typer.Context, period: str = PERIOD, by: str = BY, output: OutputFormat = OUTPUT
) -> None:
    """Allocated cost per tenant (and --by), in kind columns: direct, shared, idle, overhead.

    Cost no tenant carries (unallocated, idle not spread) follows as lines without a
    tenant, so the total is the whole allocation: the bill, plus price-sheet and
    overhead cost. JSON and CSV are exact (nine decimals); the table rounds each
    amount to the cent, totals included (the exact sums, rounded once).
    """
    project = project_of(ctx)
    window, grouping = Window.month(period), dimensions(by)
    currency = project.catalog().currency
    with project.warehouse(create=False) as warehouse:
        statement = showback_of(warehouse, window, grouping)
        note_coverage(warehouse, statement.period)
    columns = [
        *(DIMENSION_COLUMNS[d] for d in statement.by),
        *(Column(kind, numeric=True) for kind in (*KIND_COLUMNS, "total")),
    ]
    lines = [showback_line(line, statement) for line in statement.lines]
    total = kind_amounts(statement.total)
    if output is OutputFormat.JSON:
        sources = {source: Decimal(0) for source in ("bill", "price-sheet", "catalog")}
        emit_json(
            {
                **header("showback", statement.period, currency),
                "by": list(statement.by),
                "lines": lines,
                "total": total,
                "sources": {**sources, **statement.sources},
            }
        )
    elif output is OutputFormat.CSV:
        render([*lines, {"line": "total", **total}], [Column("line"), *columns], output)
    else:  # the exact amounts, each rounded: a total is the exact sum, rounded once
        labelled = [{**row, "tenant": row["tenant"] or UNTENANTED[row["line"]]} for row in lines]
        rows = [{k: _cents(v) for k, v in row.items()} for row in (*labelled, total)]
        rows[-1]["tenant"] = "total"
        render(rows, columns, output, title=title("Showback", statement.period, currency))
        console.print(ROUNDED_NOTE)


def showback_line(line: ShowbackLine, statement: Showback) -> dict[str, Any]:
    return {
        "line": line.line,
        **{d: getattr(line, d) for d in statement.by},
        **kind_amounts(line.costs),
    }


def kind_amounts(costs: KindCosts) -> dict[str, Decimal]:
    return {**{kind: getattr(costs, kind) for kind in KIND_COLUMNS}, "total": costs.total}


@app.command()
def chargeback(
    ctx: typer.Context, period: str = PERIOD, by: str = BY, output: OutputFormat = OUTPUT
) -> None:
    """What each tenant is charged: allocated cost by the chargeback rules of the catalog.

    Each line charges (direct + shared + spread idle + overhead, shared and idle as
    the rules include them) × (1 + markup), rounded half up to the rounding step; a
    tenant whose month comes to less than `minimum_monthly` (prorated by the days its
    contracts cover) gets a minimum charge line for the difference. Only tenants
    appear. `cost` is exact in JSON and CSV, to the cent in the table.
    """
    project = project_of(ctx)
    window, grouping = Window.month(period), dimensions(by)
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        bill = chargeback_of(warehouse, window, catalog.chargeback, grouping, catalog)
        note_coverage(warehouse, bill.period)
    # Totals are the exact sums, rounded once where the table rounds the lines.
    total = {"cost": bill.cost, "charge": bill.charge}
    if output is OutputFormat.TABLE:
        bill = bill.rounded(CENT)
        total = {"cost": cents(total["cost"]), "charge": cents(total["charge"])}
    lines = [
        {
            "tenant": line.tenant,
            **{d: getattr(line, d) for d in bill.by if d != "tenant"},
            "line": line.line,
            "cost": line.cost,
            "charge": line.charge,
        }
        for line in bill.lines
    ]
    columns = [
        *(DIMENSION_COLUMNS[d] for d in bill.by),
        Column("line"),
        Column("cost", numeric=True),
        Column("charge", numeric=True),
    ]
    if output is OutputFormat.JSON:
        emit_json(
            {
                **header("chargeback", bill.period, catalog.currency),
                "rules": rules_of(bill.rules),
                "by": list(bill.by),
                "lines": lines,
                "tenants": [
                    {
                        "tenant": t.tenant,
                        "cost": t.cost,
                        "charge": t.charge,
                        "minimum": t.minimum,
                        "total": t.total,
                    }
                    for t in bill.tenants
                ],
                "total": total,
            }
        )
    elif output is OutputFormat.CSV:
        render([*lines, {"line": "total", **total}], columns, output)
    else:
        shown = [
            {**row, "line": "minimum charge", "cost": None}
            if row["line"] == "minimum"
            else {**row, "line": None}
            for row in lines
        ]
        rows = [*shown, {"tenant": "total", **total}]
        render(rows, columns, output, title=title("Chargeback", bill.period, catalog.currency))
        console.print(
            f"{rules_text(bill)}. Cost is rounded to the cent here and exact with "
            "--output json or csv; charges are as charged. Each total is the exact sum, "
            "rounded, so it can differ by a few cents from the sum of the rounded lines."
        )


def rules_of(rules: ChargebackRules) -> dict[str, Any]:
    return {
        "markup_percent": rules.markup_percent,
        "minimum_monthly": rules.minimum_monthly,
        "rounding": rules.rounding,
        "include_shared": rules.include_shared,
        "include_idle": rules.include_idle,
    }


def rules_text(bill: Chargeback) -> str:
    rules = bill.rules
    included = ["direct"]
    included += ["shared"] if rules.include_shared else []
    included += ["spread idle"] if rules.include_idle else []
    included += ["overhead"]
    return (
        f"Charged: ({' + '.join(included)}) × (1 + {rules.markup_percent:f} %), each line "
        f"rounded half up to {rules.rounding:f}; minimum {rules.minimum_monthly:f} a month, "
        "prorated by the days a contract covers"
    )


ROUNDED_NOTE = (
    "Amounts are rounded to the cent; each total is the exact sum, rounded, so it can differ "
    "by a few cents from the sum of the rounded amounts shown. --output json or csv gives "
    "them exact."
)


# Margin and unit cost ------------------------------------------------------------------

MARGIN_COLUMNS = [
    Column("tenant"),
    Column("service_class", "service class"),
    Column("contract_days", "contract days", numeric=True),
    Column("fee", numeric=True),
    Column("cost", numeric=True),
    Column("margin", numeric=True),
    Column("margin_percent", "margin %", numeric=True),
]
FLAGGED_COLUMNS = [
    Column("tenant"),
    Column("service_class", "service class"),
    Column("cost", numeric=True),
    Column("flag"),
]


@app.command()
def margin(ctx: typer.Context, period: str = PERIOD, output: OutputFormat = OUTPUT) -> None:
    """Per tenant: contract fee for the month minus allocated cost, worst margin first.

    The fee is prorated by day over the allocated days a contract covers; the cost is
    everything allocated to the tenant (direct, shared, spread idle, overhead).
    Tenants with no contract, or one in another currency, are flagged apart.
    """
    project = project_of(ctx)
    window = Window.month(period)
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        report = margin_of(warehouse, catalog, window)
        note_coverage(warehouse, report.period)
    tenants = [margin_row(t) for t in report.tenants]
    flagged = [flagged_row(t) for t in report.flagged]
    total = {
        "fee": report.fee,
        "cost": report.cost,
        "margin": report.margin,
        "margin_percent": report.margin_percent,
    }
    if output is OutputFormat.JSON:
        emit_json(
            {
                **header("margin", report.period, report.currency),
                "tenants": tenants,
                "total": total,
                "flagged": flagged,
                "untenanted_cost": report.untenanted_cost,
            }
        )
    elif output is OutputFormat.CSV:
        rows = [*tenants, *flagged, {"tenant": "total", **total}]
        render(rows, [*MARGIN_COLUMNS, Column("flag")], output)
    else:
        heading = title("Margin", report.period, report.currency)
        render([*tenants, {"tenant": "total", **total}], MARGIN_COLUMNS, output, title=heading)
        if flagged:
            render(flagged, FLAGGED_COLUMNS, output, title="Flagged, not in the totals")
        console.print(
            f"Cost no tenant carries (unallocated, idle not spread): "
            f"{report.untenanted_cost:f} {report.currency}; see `costplane report showback`."
        )


def margin_row(tenant: TenantMargin) -> dict[str, Any]:
    return {
        "tenant": tenant.tenant,
        "service_class": tenant.service_class,
        "contract_days": tenant.contract_days,
        "fee": tenant.fee,
        "cost": tenant.cost,
        "margin": tenant.margin,
        "margin_percent": tenant.margin_percent,
    }


def flagged_row(tenant: FlaggedTenant) -> dict[str, Any]:
    return {
        "tenant": tenant.tenant,
        "service_class": tenant.service_class,
        "cost": tenant.cost,
        "flag": tenant.reason,
    }


UNIT_COST_COLUMNS = [
    Column("tenant"),
    Column("service_class", "service class"),
    Column("cost", numeric=True),
    Column("orders", numeric=True),
    Column("pickings", numeric=True),
    Column("invoices", numeric=True),
    Column("per_order", "per order", numeric=True),
    Column("per_picking", "per picking", numeric=True),
    Column("per_invoice", "per invoice", numeric=True),
]


@app.command("unit-cost")
def unit_cost(ctx: typer.Context, period: str = PERIOD, output: OutputFormat = OUTPUT) -> None:
    """Per tenant: allocated cost per confirmed order, done picking and posted invoice.

    Counts are production business signals of the allocated days; a tenant with
    none of a signal has no cost for it (an empty cell, never infinity).
    """
    project = project_of(ctx)
    window = Window.month(period)
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        report = unit_cost_of(warehouse, catalog, window)
        note_coverage(warehouse, report.period)
    tenants = [unit_cost_row(t) for t in report.tenants]
    total = unit_cost_row(report.total)
    if output is OutputFormat.JSON:
        emit_json(
            {
                **header("unit-cost", report.period, catalog.currency),
                "tenants": tenants,
                "total": {k: v for k, v in total.items() if k not in ("tenant", "service_class")},
            }
        )
        return
    rows = [*tenants, {**total, "tenant": "total"}]
    heading = title("Unit cost", report.period, catalog.currency)
    render(rows, UNIT_COST_COLUMNS, output, title=heading)


def unit_cost_row(unit: UnitCost) -> dict[str, Any]:
    return {
        "tenant": unit.tenant,
        "service_class": unit.service_class,
        "cost": unit.cost,
        "orders": unit.orders,
        "pickings": unit.pickings,
        "invoices": unit.invoices,
        "per_order": unit.per_order,
        "per_picking": unit.per_picking,
        "per_invoice": unit.per_invoice,
    }


# What every report says about its month ------------------------------------------------


def header(report: str, period: Period, currency: str) -> dict[str, Any]:
    """The opening keys of every report's JSON document."""
    return {
        "report": report,
        "period": period.name,
        "currency": currency,
        "allocated": {
            "first": period.allocated_days[0],
            "last": period.allocated_days[-1],
            "days": len(period.allocated_days),
            "days_in_month": period.days_in_month,
        },
    }


def title(report: str, period: Period, currency: str) -> str:
    """The report's name, its month and the days of it the report covers (those allocated)."""
    return f"{report} {period.name} ({period.label}), {currency}"


def note_coverage(
    warehouse: Warehouse, period: Period, covered: str = "the report covers those days"
) -> None:
    """Tell the reader on stderr when the month is not wholly allocated (and what the
    report shows of it: `covered`), or out of date."""
    days = period.allocated_days
    if not period.complete:
        err_console.print(
            f"note: {len(days)} of {period.days_in_month} days of {period.name} are allocated "
            f"({days[0]} to {days[-1]}); {covered}",
            soft_wrap=True,
        )
    newest = loaded_since(warehouse, period)
    if newest is not None:
        err_console.print(
            f"note: data was loaded ({newest:%Y-%m-%d %H:%M:%S}) after {period.name} was "
            f"allocated ({period.allocated_at:%Y-%m-%d %H:%M:%S}); run `costplane allocate` "
            "for a current report",
            soft_wrap=True,
        )
