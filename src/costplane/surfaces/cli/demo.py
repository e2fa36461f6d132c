"""`costplane demo`: a synthetic fleet generated, loaded and summarised in one command."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from pathlib import Path

import typer

from costplane.allocation import DomainCost, Margins, ReconciledDay, TenantMargin, Window
from costplane.catalog import Catalog
from costplane.money import cents
from costplane.service import Demo, Project, Role, TokenRequest, create_token, run_demo
from costplane.surfaces.cli.generate import default_start, run_generator
from costplane.surfaces.cli.govern import show
from costplane.surfaces.cli.output import Column, OutputFormat, console, render
from costplane.surfaces.cli.project import project_of
from costplane.surfaces.cli.serve import run_server
from costplane.warehouse import LoadResult
from costplane_fleet import FleetSpec


def demo(
    ctx: typer.Context,
    tenants: int = typer.Option(40, "--tenants", min=1, help="Number of tenants."),
    days: int = typer.Option(30, "--days", min=1, help="Days of history."),
    seed: int = typer.Option(7, "--seed", min=0, help="Random seed."),
    start: dt.datetime | None = typer.Option(
        None, "--start", formats=["%Y-%m-%d"], help="First day, UTC (default: 1st of last month)."
    ),
    anomalies: bool = typer.Option(
        False, "--anomalies", help="Plant cost anomalies too (anomalies.json; docs/fleet.md)."
    ),
    no_serve: bool = typer.Option(False, "--no-serve", help="Run, print the summary and exit."),
    host: str = typer.Option("127.0.0.1", "--host", help="Serve on this address."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Serve on this TCP port."),
) -> None:
    """Generate a fleet into the project, load it, and show what it costs; then serve it
    (the API, with an admin token made for the demo) until interrupted, unless --no-serve."""
    project = project_of(ctx)
    spec = FleetSpec(
        tenants=tenants,
        days=days,
        seed=seed,
        start=start.date() if start else default_start(),
        anomalies=anomalies,
    )
    done = run_demo(project, spec, run_generator)
    show_summary(done)
    show_findings(done)
    show_next(project.settings.home, done.month)
    if not no_serve:
        serve_demo(project, host, port)


def serve_demo(project: Project, host: str, port: int) -> None:
    """An admin token for the demo, printed with the URL, then the server."""
    issued = create_token(
        project, TokenRequest(Role.ADMIN, expires=dt.timedelta(days=1), subject="demo")
    )
    shown = f"[{host}]" if ":" in host else host
    console.print(
        f"\n[bold]Serving the demo[/bold] at http://{shown}:{port}/ (the dashboard: sign in "
        f"with the token; API: http://{shown}:{port}/api/v1) with an admin token valid a day "
        "on the next line:",
        markup=True,
    )
    console.print(issued.token, markup=False, soft_wrap=True)
    run_server(project, host, port)


def show_summary(done: Demo) -> None:
    spec = done.fleet.spec
    end = spec.end_at - dt.timedelta(days=1)
    console.print(
        f"\n[bold]Costplane demo[/bold]: {spec.tenants} tenants on {len(done.fleet.clusters)} "
        f"clusters, {spec.start} to {end.date()} (seed {spec.seed})",
        markup=True,
    )
    show_loaded(list(done.loaded))
    show_reconciliation(done.reconciled, done.catalog.currency)
    show_domains(list(done.domains), done.catalog.currency)
    show_tenants(done.catalog, done.margins)


def show_findings(done: Demo) -> None:
    """The top findings by money, and how they compare with what was planted."""
    console.print(
        "\n[bold]Top findings by monthly waste[/bold] (the built-in policy pack)", markup=True
    )
    show(list(done.findings[:5]), OutputFormat.TABLE)
    kinds = Counter(p["kind"] for p in done.planted)
    console.print(
        f"{len(done.findings)} findings; {len(done.planted)} problems were planted on purpose "
        f"({len(kinds)} kinds), listed in {done.fleet.out / 'planted.json'}."
    )


def show_loaded(results: list[LoadResult]) -> None:
    rows = Counter[str]()
    for result in results:
        rows[result.table] += result.rows_written
    render(
        [{"table": table, "rows": count} for table, count in sorted(rows.items())],
        [Column("table"), Column("rows", numeric=True)],
        OutputFormat.TABLE,
        title="Loaded into the warehouse",
    )


def show_reconciliation(total: ReconciledDay, currency: str) -> None:
    parts = [
        ("to tenants directly", total.allocated),
        ("shared platform, spread to tenants", total.shared),
        ("idle capacity", total.idle),
        ("unallocated (no tenant)", total.unallocated),
    ]
    rows: list[dict[str, object]] = [
        {"where": label, "cost": cents(amount), "share": share(amount, total.billed)}
        for label, amount in parts
    ]
    rows.append({"where": "the bill", "cost": cents(total.billed), "share": "100.0 %"})
    render(
        rows,
        [
            Column("where"),
            Column("cost", f"cost ({currency})", True),
            Column("share", numeric=True),
        ],
        OutputFormat.TABLE,
        title=f"Where the bill went (difference: {format(total.difference, 'f')})",
    )


def show_domains(domains: list[DomainCost], currency: str) -> None:
    total = sum((d.billed_cost for d in domains), start=Decimal(0))  # exact, rounded once
    rows: list[dict[str, object]] = [
        {"domain": d.domain, "billed": cents(d.billed_cost), "share": share(d.billed_cost, total)}
        for d in domains
    ]
    rows.append({"domain": "total", "billed": cents(total), "share": "100.0 %"})
    render(
        rows,
        [
            Column("domain"),
            Column("billed", f"billed ({currency})", True),
            Column("share", numeric=True),
        ],
        OutputFormat.TABLE,
        title="The bill by cost domain",
    )


def show_tenants(catalog: Catalog, margins: Margins) -> None:
    label = f"{margins.period.window.start:%B %Y}"
    top = sorted(margins.tenants, key=lambda t: (-t.cost, t.tenant))[:10]
    render(
        [tenant_row(catalog, t) for t in top],
        TENANT_COLUMNS,
        OutputFormat.TABLE,
        title=f"Top tenants by allocated cost, {label}, {margins.currency}",
    )
    render(
        [tenant_row(catalog, t) for t in margins.tenants[:5]],
        TENANT_COLUMNS,
        OutputFormat.TABLE,
        title="Smallest margins",
    )


def tenant_row(catalog: Catalog, margin_of: TenantMargin) -> dict[str, object]:
    tenant = catalog.tenant(margin_of.tenant)
    percent = margin_of.margin_percent
    return {
        "tenant": margin_of.tenant,
        "name": tenant.name if tenant else "",
        "service_class": margin_of.service_class,
        "fee": margin_of.fee,
        "cost": margin_of.cost,
        "margin": margin_of.margin,
        "margin_percent": f"{percent} %" if percent is not None else "",
    }


TENANT_COLUMNS = [
    Column("tenant"),
    Column("name"),
    Column("service_class", "service class"),
    Column("fee", numeric=True),
    Column("cost", numeric=True),
    Column("margin", numeric=True),
    Column("margin_percent", "margin %", numeric=True),
]


SHARE = Column("share", numeric=True)


def share(part: Decimal, whole: Decimal) -> str:
    return f"{(part / whole * 100 if whole else 0):.1f} %"


def show_next(home: Path, month: Window) -> None:
    period = f"{month.start:%Y-%m}"
    console.print("\n[bold]Next[/bold]", markup=True)
    for command, why in (
        (f"--home {home} report reconcile --period {period}", "the bill, day by day, placed"),
        (f"--home {home} report showback --period {period}", "every tenant's cost by kind"),
        (f"--home {home} report margin --period {period}", "fee minus cost, worst first"),
        (
            f"--home {home} export focus --period {period} --out {period}.parquet",
            "the allocation as FOCUS",
        ),
        (f"--home {home} findings list", "every finding, its status and money"),
        (f"--home {home} govern --output json", "govern again, as JSON"),
        (f"--home {home} ingest history", "what was loaded, and when"),
    ):
        console.print(f"  costplane {command}", markup=False)
        console.print(f"      {why}", style="dim")
