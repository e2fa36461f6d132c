"""`costplane recommend ...`: what should be, with the money (docs/rightsizing.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from costplane.governance import PriceSource
from costplane.insight.rightsizing import DEFAULT_STRATEGY, STRATEGIES, StrategyOptions
from costplane.service import WorkloadRequest, as_row, recommend_workloads
from costplane.surfaces.cli import capacity, placement
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(
    help="Recommendations with their reasons and money: workloads, nodes, commitments, placement."
)

DEFAULTS = StrategyOptions()
WORKLOAD_COLUMNS = [
    Column("tenant"),
    Column("namespace"),
    Column("workload"),
    Column("container"),
    Column("pods", numeric=True),
    Column("cpu_request", "cpu req", numeric=True),
    Column("cpu_recommended", "cpu rec", numeric=True),
    Column("memory_request", "mem req", numeric=True),
    Column("memory_recommended", "mem rec", numeric=True),
    Column("samples", numeric=True),
    Column("monthly_saving", "monthly saving", numeric=True),
    Column("risk"),
]
CSV_COLUMNS = [
    Column("cluster"),
    Column("tenant"),
    Column("namespace"),
    Column("kind"),
    Column("workload"),
    Column("container"),
    Column("pods"),
    Column("cpu_request"),
    Column("cpu_limit"),
    Column("cpu_recommended"),
    Column("memory_request"),
    Column("memory_limit"),
    Column("memory_recommended"),
    Column("memory_limit_recommended"),
    Column("samples"),
    Column("cpu_usage_cores"),
    Column("cpu_max_cores"),
    Column("memory_peak_bytes"),
    Column("hpa_target_cpu_utilisation"),
    Column("monthly_saving"),
    Column("risk"),
]


@app.command()
def workloads(
    ctx: typer.Context,
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's workloads."),
    namespace: str | None = typer.Option(None, "--namespace", help="Only this namespace."),
    strategy: str = typer.Option(
        DEFAULT_STRATEGY, "--strategy", help=f"One of: {', '.join(sorted(STRATEGIES))}."
    ),
    percentile: float = typer.Option(
        DEFAULTS.percentile, "--percentile", help="CPU: this percentile of hourly use."
    ),
    buffer: float = typer.Option(
        DEFAULTS.memory_buffer_percent, "--buffer", help="Memory: peak plus this percentage."
    ),
    window: int = typer.Option(DEFAULTS.window_days, "--window", help="History, in days."),
    min_samples: int = typer.Option(
        DEFAULTS.min_samples, "--min-samples", help="Fewer hourly samples: no recommendation."
    ),
    prices: PriceSource = typer.Option(
        PriceSource.ALLOCATION, "--prices", help="Savings at the allocation's or the sheet's."
    ),
    gitops: Path | None = typer.Option(
        None, "--gitops", help="Write Kustomize patches applying the recommendations here."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Per workload container: requests, KRR's recommendation, evidence, monthly saving."""
    try:
        options = StrategyOptions(percentile, buffer, window, min_samples)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    request = WorkloadRequest(tenant, namespace, strategy, options, prices, gitops)
    done = recommend_workloads(project_of(ctx), request)
    result = done.result
    for path in done.written:
        err_console.print(f"wrote {path}", markup=False, highlight=False)
    if output is OutputFormat.JSON:
        emit_json(result)
        return
    rows = [as_row(c) for c in result.containers]
    columns = CSV_COLUMNS if output is OutputFormat.CSV else WORKLOAD_COLUMNS
    title = (
        f"workloads ({result.strategy}, {result.window.start:%Y-%m-%d %H:%M} to "
        f"{result.window.end:%Y-%m-%d %H:%M} UTC, {result.currency} a month)"
    )
    render(rows, columns, output, title=title)


app.command("nodes")(capacity.nodes)
app.command("commitments")(capacity.commitments)
app.command("placement")(placement.placement)
