"""`costplane recommend nodes|commitments`: node pools and commitments, with the money.

The rules are in docs/rightsizing.md. Each command reads the warehouse and the catalog
and writes nothing.
"""

from __future__ import annotations

from decimal import Decimal

import typer

from costplane.money import cents
from costplane.service import (
    CommitmentsRequest,
    NodesRequest,
    Requests,
    recommend_commitments,
    recommend_nodes,
    to_document,
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

OUTPUT = typer.Option(OutputFormat.TABLE, "--output", "-o")

NODE_COLUMNS = [
    Column("cluster"),
    Column("pool"),
    Column("node_type_now", "type now"),
    Column("nodes_now", "nodes now", numeric=True),
    Column("node_type", "type"),
    Column("nodes_recommended", "nodes", numeric=True),
    Column("monthly_cost_now", "monthly now", numeric=True),
    Column("monthly_cost_recommended", "monthly then", numeric=True),
    Column("saving", numeric=True),
]


def nodes(
    ctx: typer.Context,
    headroom: Decimal = typer.Option(
        Decimal(20), "--headroom", help="Percent of each node's allocatable kept free."
    ),
    days: int = typer.Option(30, "--days", help="Days of bill and usage, to the newest inventory."),
    requests: Requests = typer.Option(
        Requests.CURRENT, "--requests", help="Pack the pods' current requests or recommended ones."
    ),
    spread_zones: bool = typer.Option(
        True,
        "--spread-zones/--ignore-zones",
        help="Keep a node in every availability zone a pool spans now.",
    ),
    any_type: bool = typer.Option(
        False,
        "--any-type/--own-types",
        help="Let a pool change to any node type its cluster runs (default: its own types).",
    ),
    output: OutputFormat = OUTPUT,
) -> None:
    """Per cluster and node pool: the node type and count that hold every pod's requests.

    Pods are packed hour by hour (the pods that ran in each hour of the window, by the usage
    samples) onto each node type the cluster runs, by first-fit decreasing on the dominant
    resource, keeping --headroom of every node free and respecting the pools' labels and
    taints; the cheapest type and count win, priced at the bill's node prices.
    """
    result = recommend_nodes(
        project_of(ctx),
        NodesRequest(
            headroom=headroom / 100,
            days=days,
            requests=requests,
            spread_zones=spread_zones,
            any_type=any_type,
        ),
    )
    document = to_document(result)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    rows = document["clusters"]
    if output is OutputFormat.TABLE:
        rows = [{k: cents(Decimal(v)) if k in MONEY else v for k, v in row.items()} for row in rows]
    title = f"Node pools, {result.start} to {result.end}, headroom {headroom} %, {result.currency}"
    render(rows, NODE_COLUMNS, output, title=title)
    if output is OutputFormat.TABLE:
        console.print(f"saving if every pool is resized: {cents(result.saving)} {result.currency}")
        for pod in result.unplaced:
            console.print(f"not placed: {pod.cluster}/{pod.namespace}/{pod.name}: {pod.reason}")


MONEY = frozenset({"monthly_cost_now", "monthly_cost_recommended", "saving"})


COMMITMENT_COLUMNS = [
    Column("resource_type", "resource type"),
    Column("sku"),
    Column("baseline_units", "baseline", numeric=True),
    Column("commit_units", "commit", numeric=True),
    Column("term"),
    Column("discount", numeric=True),
    Column("monthly_saving", "monthly saving", numeric=True),
    Column("break_even_utilisation", "break-even use", numeric=True),
    Column("monthly_loss_if_demand_falls_20", "lost if -20 %", numeric=True),
]


def commitments(
    ctx: typer.Context,
    days: int = typer.Option(90, "--days", help="Days of bill the baseline is read from (30-90)."),
    output: OutputFormat = OUTPUT,
) -> None:
    """Per resource type and SKU billed by the hour: the commitment that saves most.

    The stable baseline is the 10th percentile of the units running each hour over the last
    --days of the bill; the commitment is the baseline in whole units, at the term and
    discount of the catalog's price sheet that save most. Break-even utilisation is
    1 - discount. The bill's current commitments follow with their utilisation.
    """
    result = recommend_commitments(project_of(ctx), CommitmentsRequest(days=days))
    for note in result.notes:
        err_console.print(f"note: {note}")
    document = to_document(result)
    if output is OutputFormat.JSON:
        emit_json(document)
        return
    title = f"Commitments, {result.start} to {result.end} ({result.hours} hours), {result.currency}"
    render(document["recommendations"], COMMITMENT_COLUMNS, output, title=title)
    if output is OutputFormat.TABLE:
        for use in result.current:
            share = "unknown" if use.utilisation is None else f"{use.utilisation * 100:.1f} %"
            console.print(
                f"current commitment {use.commitment_discount_id}: used {share} "
                f"({cents(use.used_cost)} used, {cents(use.unused_cost)} unused)"
            )
