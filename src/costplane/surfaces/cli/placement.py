"""`costplane recommend placement`: each tenant, shared or dedicated, with its reasons and
money (docs/placement.md)."""

from __future__ import annotations

from typing import Any

import typer

from costplane.insight.placement import CRITERIA, Placement, TenantPlacement
from costplane.money import cents
from costplane.service import PlacementRequest, recommend_placement, to_document
from costplane.surfaces.cli.output import (
    Column,
    OutputFormat,
    console,
    emit_json,
    err_console,
    render,
)
from costplane.surfaces.cli.project import project_of

COLUMNS = [
    Column("tenant"),
    Column("service_class", "class"),
    Column("current"),
    Column("recommended"),
    Column("score", numeric=True),
    *(Column(name, name.replace("_", " "), numeric=True) for name in CRITERIA),
    Column("fee", numeric=True),
    Column("cost_shared", "cost shared", numeric=True),
    Column("cost_dedicated", "cost dedicated", numeric=True),
    Column("reason"),
]


def placement(
    ctx: typer.Context,
    period: str | None = typer.Option(
        None, "--period", help="A month, YYYY-MM (default: the newest allocated month)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Each tenant, shared or dedicated, scored on custom modules, isolation, compliance,
    integration load and margin, highest score first.

    The table shows each criterion's score (0 to 1), the month's fee and the cost under
    each model (the current model's from the allocation, the other's rendered from its
    class and priced) and the strongest reason; JSON has every criterion's parts.
    """
    found = recommend_placement(project_of(ctx), PlacementRequest(period))
    if found.allocated_days < found.days_in_month:
        err_console.print(
            f"note: {found.allocated_days} of {found.days_in_month} days of {found.period} are "
            "allocated; fees, costs and the rendered costs cover those days",
            markup=False,
            soft_wrap=True,
        )
    if output is OutputFormat.JSON:
        emit_json(found)
        return
    rows = [_row(tenant, output) for tenant in found.tenants]
    render(rows, COLUMNS, output, title=_title(found))
    if output is OutputFormat.TABLE:
        for skipped in found.skipped:
            console.print(f"skipped {skipped.tenant}: {skipped.reason}", markup=False)


def _title(found: Placement) -> str:
    weights = ", ".join(f"{name} {weight:g}" for name, weight in found.weights.items())
    return (
        f"Placement, {found.period} ({found.allocated_days} of {found.days_in_month} days), "
        f"{found.currency}; dedicated from {found.dedicated_at:g}; weights: {weights}"
    )


def _row(placed: TenantPlacement, output: OutputFormat) -> dict[str, Any]:
    money = placed.money
    reasons = placed.reasons if output is OutputFormat.CSV else placed.reasons[:1]
    row: dict[str, Any] = {
        "tenant": placed.tenant,
        "service_class": placed.service_class,
        "current": to_document(placed.current),
        "recommended": to_document(placed.recommended)
        + (" (change)" if placed.change and output is OutputFormat.TABLE else ""),
        "score": placed.score,
        **{c.criterion: c.score for c in placed.criteria},
        "fee": cents(money.fee),
        "cost_shared": money.cost_shared,
        "cost_dedicated": money.cost_dedicated,
        "reason": "; ".join(reasons),
    }
    return row
