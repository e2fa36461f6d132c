"""`costplane report ...`: what the allocation says, for finance and for tenants.

The rules of each report are in docs/reports.md. Every report reads one calendar
month (`--period YYYY-MM`) of the `allocations` table; a month with no allocated
day is an error (exit 2) that names the `costplane allocate` command to run.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import typer

from costplane.allocation import AllocationKind, Chargeback, Period
from costplane.errors import InputError
from costplane.money import CENT, cents
from costplane.service import (
    BoardRequest,
    ClassReportRequest,
    DailyCostRequest,
    Report,
    ReportRequest,
    StatementRequest,
    as_row,
    board_report,
    chargeback_document,
    chargeback_lines,
    chargeback_report,
    daily_cost_document,
    daily_cost_report,
    dr_document,
    dr_report,
    entitlements_document,
    entitlements_report,
    margin_document,
    margin_report,
    reconcile_document,
    reconcile_report,
    showback_document,
    showback_report,
    statement,
    unit_cost_document,
    unit_cost_report,
)
from costplane.surfaces.cli.output import (
    Column,
    OutputFormat,
    console,
    emit_json,
    err_console,
    render,
)
from costplane.surfaces.cli.project import project_of
from costplane.surfaces.documents import (
    BOARD_FORMATS,
    DocumentFormat,
    Rendered,
    render_board,
    render_statement,
)
from costplane.written_file import check_target, shown, write_bytes

app = typer.Typer(
    help="Reports on the allocation: reconciliation, showback, chargeback, margin, unit cost; "
    "on service classes in force: entitlements against use, DR evidence; and documents: a "
    "tenant's statement, the board report."
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
    report = reconcile_report(project_of(ctx), ReportRequest.of(period))
    print_notes(report)
    document = reconcile_document(report)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    rows = [*document["days"], {"date": "total", **document["total"]}]
    if output is OutputFormat.TABLE:  # the exact amounts, each rounded (the total too)
        rows = [{k: _cents(v) for k, v in row.items()} for row in rows]
    heading = f"{report.body.period.window.label}, {report.currency}"
    render(rows, RECONCILE_COLUMNS, output, title=heading)
    if output is OutputFormat.TABLE:
        console.print(ROUNDED_NOTE)


@app.command()
def daily(
    ctx: typer.Context,
    first: dt.datetime = typer.Option(
        ..., "--from", formats=["%Y-%m-%d"], help="First day (UTC), YYYY-MM-DD."
    ),
    last: dt.datetime = typer.Option(
        ..., "--to", formats=["%Y-%m-%d"], help="Last day (UTC), included."
    ),
    by: str = typer.Option(
        "", "--by", help="Comma-separated, any of tenant, environment, service-class, domain."
    ),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's cost."),
    output: OutputFormat = OUTPUT,
) -> None:
    """Allocated cost per day over any range of days (at most 366), grouped by --by.

    Every kind counts (direct, shared, idle, overhead, and unallocated on lines without
    a tenant), so over a whole month the total is `report showback`'s. JSON and CSV are
    exact; the table rounds each amount to the cent and the total once.
    """
    request = DailyCostRequest.of(first.date(), last.date(), by, tenant)
    report = daily_cost_report(project_of(ctx), request)
    document = daily_cost_document(report)
    for note in document["notes"]:
        err_console.print(f"note: {note}")
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    columns = [
        Column("day"),
        *(DIMENSION_COLUMNS[d] for d in request.by),
        Column("cost", numeric=True),
    ]
    rows = [*document["lines"], {"day": "total", "cost": document["total"]}]
    if output is OutputFormat.TABLE:
        rows = [{k: _cents(v) for k, v in row.items()} for row in rows]
    heading = f"{request.window.label}, {report.currency}"
    render(rows, columns, output, title=heading)
    if output is OutputFormat.TABLE:
        console.print(ROUNDED_NOTE)


RECONCILE_COLUMNS = [
    Column("date"),
    *(
        Column(name, numeric=True)
        for name in ("billed", "allocated", "shared", "idle", "unallocated", "difference")
    ),
]


def _cents(value: Any) -> Any:
    return cents(value) if isinstance(value, Decimal) else value


# Showback and chargeback ---------------------------------------------------------------

KIND_COLUMNS = tuple(AllocationKind)  # direct, shared, idle, overhead, unallocated
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
    report = showback_report(project_of(ctx), ReportRequest.of(period, by))
    print_notes(report)
    statement, currency = report.body, report.currency
    columns = [
        *(DIMENSION_COLUMNS[d] for d in statement.by),
        *(Column(kind, numeric=True) for kind in (*KIND_COLUMNS, "total")),
    ]
    document = showback_document(report)
    lines, total = document["lines"], document["total"]
    if output is OutputFormat.JSON:
        emit_json(document)
    elif output is OutputFormat.CSV:
        render([*lines, {"line": "total", **total}], [Column("line"), *columns], output)
    else:  # the exact amounts, each rounded: a total is the exact sum, rounded once
        labelled = [{**row, "tenant": row["tenant"] or UNTENANTED[row["line"]]} for row in lines]
        rows = [{k: _cents(v) for k, v in row.items()} for row in (*labelled, total)]
        rows[-1]["tenant"] = "total"
        render(rows, columns, output, title=title("Showback", statement.period, currency))
        console.print(ROUNDED_NOTE)


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
    report = chargeback_report(project_of(ctx), ReportRequest.of(period, by))
    print_notes(report)
    bill = report.body
    document = chargeback_document(report)
    # Totals are the exact sums, rounded once where the table rounds the lines.
    total = document["total"]
    if output is OutputFormat.TABLE:
        bill = bill.rounded(CENT)
        total = {"cost": cents(total["cost"]), "charge": cents(total["charge"])}
    lines = chargeback_lines(bill)
    columns = [
        *(DIMENSION_COLUMNS[d] for d in bill.by),
        Column("line"),
        Column("cost", numeric=True),
        Column("charge", numeric=True),
    ]
    if output is OutputFormat.JSON:
        emit_json(document)
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
        render(rows, columns, output, title=title("Chargeback", bill.period, report.currency))
        console.print(
            f"{rules_text(bill)}. Cost is rounded to the cent here and exact with "
            "--output json or csv; charges are as charged. Each total is the exact sum, "
            "rounded, so it can differ by a few cents from the sum of the rounded lines."
        )


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
    report = margin_report(project_of(ctx), ReportRequest.of(period))
    print_notes(report)
    margins = report.body
    document = margin_document(report)
    tenants, flagged, total = document["tenants"], document["flagged"], document["total"]
    if output is OutputFormat.JSON:
        emit_json(document)
    elif output is OutputFormat.CSV:
        rows = [*tenants, *flagged, {"tenant": "total", **total}]
        render(rows, [*MARGIN_COLUMNS, Column("flag")], output)
    else:
        heading = title("Margin", margins.period, margins.currency)
        render([*tenants, {"tenant": "total", **total}], MARGIN_COLUMNS, output, title=heading)
        if flagged:
            render(flagged, FLAGGED_COLUMNS, output, title="Flagged, not in the totals")
        console.print(
            f"Cost no tenant carries (unallocated, idle not spread): "
            f"{margins.untenanted_cost:f} {margins.currency}; see `costplane report showback`."
        )


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
    report = unit_cost_report(project_of(ctx), ReportRequest.of(period))
    print_notes(report)
    if output is OutputFormat.JSON:
        emit_json(unit_cost_document(report))
        return
    costs = report.body
    tenants, total = [as_row(t) for t in costs.tenants], as_row(costs.total)
    rows = [*tenants, {**total, "tenant": "total"}]
    heading = title("Unit cost", costs.period, report.currency)
    render(rows, UNIT_COST_COLUMNS, output, title=heading)


# Service classes in force ----------------------------------------------------------------

TENANT = typer.Option(None, "--tenant", help="Only this tenant (a catalog id).")
CENTS = Decimal("0.00")

ENTITLEMENT_COLUMNS = [
    Column("tenant"),
    Column("service_class", "service class"),
    Column("environment"),
    Column("entitlement"),
    Column("entitled", numeric=True),
    Column("used", numeric=True),
    Column("unit"),
    Column("status"),
    Column("monthly_amount", "monthly amount", numeric=True),
]


@app.command()
def entitlements(
    ctx: typer.Context,
    period: str = PERIOD,
    tenant: str | None = TENANT,
    output: OutputFormat = OUTPUT,
) -> None:
    """Per tenant and environment: each entitlement of its class against what was used.

    CPU and memory quota against the 95th percentile of hourly requests and use; the
    database against its sizing band; file store and object storage; log retention;
    the achieved RPO; days since the last verified restore; HA replicas. Status is
    `within`, `over` or `unused` (below 20 % of the entitlement), `short` for a service
    level below the class's, `unmetered` where the class sets no bound, `unknown`
    where no fact says. The monthly amount is the use beyond the entitlement, or the
    unused headroom, at the price sheet's prices (docs/service-classes.md).
    """
    result = entitlements_report(project_of(ctx), ClassReportRequest.of(period, tenant))
    print_class_notes(result.notes)
    document = entitlements_document(result)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    rows = [
        {
            "tenant": t["tenant"],
            "service_class": t["service_class"],
            "environment": e["environment"],
            **item,
        }
        for t in document["tenants"]
        for e in t["environments"]
        for item in e["items"]
    ]
    if output is OutputFormat.CSV:
        render(rows, [*ENTITLEMENT_COLUMNS, Column("basis")], output)
        return
    heading = f"Entitlements {result.period}, {result.currency}"
    render(rows, ENTITLEMENT_COLUMNS, output, title=heading)
    over = sum((Decimal(r["monthly_amount"]) for r in rows if r["status"] == "over"), CENTS)
    unused = sum((Decimal(r["monthly_amount"]) for r in rows if r["status"] == "unused"), CENTS)
    console.print(
        f"Use beyond entitlements: {over:f} {result.currency} a month; paid-for headroom "
        f"unused: {unused:f} {result.currency} a month. Requests and p95 use are two views of "
        "one quota: their amounts are alternatives, not a sum. --output csv gives each basis."
    )


DR_COLUMNS = [
    Column("tenant"),
    Column("service_class", "service class"),
    Column("requirement"),
    Column("required", numeric=True),
    Column("achieved", numeric=True),
    Column("unit"),
    Column("status"),
    Column("detail"),
]


@app.command()
def dr(
    ctx: typer.Context,
    period: str = PERIOD,
    tenant: str | None = TENANT,
    output: OutputFormat = OUTPUT,
) -> None:
    """Per tenant: the class's RPO, RTO and restore test interval against the backup records.

    Requirements: `rpo` (the longest gap between good production backups, from the last
    one before the month to the end of what the listings show), `restore-tested` (days
    since the last verified restore), `rto` (that restore's duration), `isolation`
    (backups kept in another region than the data). Each passes or fails; JSON carries
    the evidence behind each (backup ids, restore tests, who ran them), for an audit file.
    """
    result = dr_report(project_of(ctx), ClassReportRequest.of(period, tenant))
    print_class_notes(result.notes)
    document = dr_document(result)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    rows = [
        {"tenant": t["tenant"], "service_class": t["service_class"], **requirement}
        for t in document["tenants"]
        for requirement in t["requirements"]
    ]
    if output is OutputFormat.CSV:
        for row in rows:  # the records' ids, space-separated: JSON has them whole
            row["evidence"] = " ".join(
                e["backup_id"] or e["kind"] for e in row["evidence"] if e["kind"] != "as-of"
            )
        render(rows, [*DR_COLUMNS, Column("evidence")], output)
        return
    heading = f"DR evidence {result.period} (as of {result.as_of:%Y-%m-%d %H:%M} UTC)"
    render(rows, DR_COLUMNS, output, title=heading)
    failing = [t["tenant"] for t in document["tenants"] if t["status"] == "fail"]
    console.print(
        f"{len(document['tenants']) - len(failing)} of {len(document['tenants'])} tenants pass "
        "every requirement. --output json gives the evidence (backup ids, restore tests)."
    )


def print_class_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        err_console.print(f"note: {note}", soft_wrap=True)


# Documents: PDF, XLSX, HTML --------------------------------------------------------------

OUT = typer.Option(
    ...,
    "--out",
    help="The file to write (its directory must exist); written under a temporary name, "
    "then renamed, so nothing is left on an error.",
    dir_okay=False,
)


@app.command("statement")
def statement_command(
    ctx: typer.Context,
    tenant: str = typer.Option(..., "--tenant", help="The tenant (a catalog id)."),
    period: str = PERIOD,
    fmt: DocumentFormat = typer.Option(DocumentFormat.PDF, "--format", help="pdf, xlsx or html."),
    out: Path = OUT,
) -> None:
    """A tenant's monthly statement: contract and fee, class, cost by environment and cost
    domain, use beyond the entitlements, and the charge.

    The totals are `report chargeback`'s for the tenant, to the cent; the sender (name,
    logo, address) is the catalog's `branding` (docs/documents.md).
    """
    target = _target(out)
    document = statement(project_of(ctx), StatementRequest.of(tenant, period))
    _write(target, render_statement(document, fmt), document.notes)


@app.command("board")
def board_command(
    ctx: typer.Context,
    period: str = PERIOD,
    fmt: DocumentFormat = typer.Option(DocumentFormat.PDF, "--format", help="pdf or xlsx."),
    out: Path = OUT,
) -> None:
    """The cost-governance board's report of a month: where the bill went (with the month
    before), margin by service class and the worst five tenants, waste found and fixed,
    budgets and forecast, DR compliance, with charts (docs/documents.md)."""
    if fmt not in BOARD_FORMATS:
        choices = ", ".join(f.value for f in BOARD_FORMATS)
        raise InputError(f"--format {fmt.value}: the board report is written as {choices}")
    target = _target(out)
    document = board_report(project_of(ctx), BoardRequest.of(period))
    _write(target, render_board(document, fmt), document.notes)


def _target(out: Path) -> Path:
    """Refuse a target that cannot be written (a missing directory, a link, a device)
    before any report is read."""
    return check_target(out, label=f"--out {shown(out)}")


def _write(target: Path, rendered: Rendered, notes: tuple[str, ...]) -> None:
    for note in notes:
        err_console.print(f"note: {note}", soft_wrap=True)
    write_bytes(target, rendered.content, label=f"--out {shown(target)}")
    size = len(rendered.content)
    console.print(f"wrote {shown(target)} ({rendered.format.value}, {size:,} bytes)")


# What every report says about its month ------------------------------------------------


def title(report: str, period: Period, currency: str) -> str:
    """The report's name, its month and the days of it the report covers (those allocated)."""
    return f"{report} {period.name} ({period.label}), {currency}"


def print_notes(report: Report[Any]) -> None:
    """Tell the reader on stderr when the month is not wholly allocated, or out of date."""
    for note in report.notes:
        err_console.print(f"note: {note}", soft_wrap=True)
