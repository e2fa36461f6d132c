"""`costplane plan ...`: plans to change where tenants run or what they get; `plan
migration` cuts a move into waves (docs/placement.md), `plan class-change` prices and
renders one tenant in another service class (docs/service-classes.md)."""

from __future__ import annotations

import enum
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import typer

from costplane.errors import InputError
from costplane.insight.class_change import ClassChange
from costplane.insight.placement import MigrationPlan
from costplane.service import (
    ClassChangeRequest,
    MigrationRequest,
    class_change_document,
    plan_class_change,
    plan_migration,
)
from costplane.surfaces.cli.output import Column, OutputFormat, console, emit_json, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(
    help="Plans to change where tenants run or what they get: migration waves, class changes."
)

GIB = 2**30

COLUMNS = [
    Column("wave", numeric=True),
    Column("risk"),
    Column("tenant"),
    Column("service_class", "class"),
    Column("database_gib", "database GiB", numeric=True),
    Column("file_store_gib", "file store GiB", numeric=True),
    Column("cutover_minutes", "cutover min", numeric=True),
    Column("cost_before", "cost before", numeric=True),
    Column("cost_after", "cost after", numeric=True),
]
CSV_COLUMNS = [
    *COLUMNS,
    Column("data_bytes"),
    Column("within_window"),
    Column("within_bound"),
]


@app.command()
def migration(
    ctx: typer.Context,
    to: str = typer.Option(
        ..., "--to", metavar="CLASS|CLUSTER", help="A service class or a cluster."
    ),
    tenants: list[str] = typer.Option(
        [],
        "--tenants",
        help="Tenants to move, comma-separated or repeated (default: those the placement "
        "moves to the class's tenancy; for a cluster, every tenant running elsewhere).",
    ),
    period: str | None = typer.Option(
        None, "--period", help="The month read, YYYY-MM (default: the newest allocated)."
    ),
    throughput: str | None = typer.Option(
        None, "--throughput", help="Copy throughput, MiB/s (default: the catalog's migration)."
    ),
    window_hours: str | None = typer.Option(
        None, "--window-hours", help="Maintenance window, hours (default: the catalog's)."
    ),
    wave_max_gib: str | None = typer.Option(
        None, "--wave-max-gib", help="Most data per wave, GiB (default: what a window moves)."
    ),
    wave_max_tenants: int | None = typer.Option(
        None, "--wave-max-tenants", help="Most tenants per wave (default: the catalog's)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """The tenants grouped in waves: low risk and small first, custom modules and heavy
    integrations later, each wave's data within what a window moves at the declared
    throughput; each wave with its cutover time, rollback criteria and cost before and after.
    """
    request = MigrationRequest(
        to=to,
        tenants=tuple(t.strip() for given in tenants for t in given.split(",") if t.strip()),
        period=period,
        throughput_mib_per_second=_decimal("--throughput", throughput),
        window_hours=_decimal("--window-hours", window_hours),
        wave_max_gib=_decimal("--wave-max-gib", wave_max_gib),
        wave_max_tenants=wave_max_tenants,
    )
    plan = plan_migration(project_of(ctx), request)
    if output is OutputFormat.JSON:
        emit_json(plan)
        return
    render(
        _rows(plan, output),
        CSV_COLUMNS if output is OutputFormat.CSV else COLUMNS,
        output,
        title=_title(plan),
    )
    if output is OutputFormat.TABLE:
        for wave in plan.waves:
            console.print(
                f"wave {wave.wave} rollback: " + "; ".join(wave.rollback_criteria),
                markup=False,
                soft_wrap=True,
            )
        for note in plan.notes:
            console.print(f"note: {note}", markup=False, soft_wrap=True)


def _decimal(flag: str, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InputError(f"{flag} {text!r}: expected a number") from None
    if not value.is_finite():
        raise InputError(f"{flag} {text!r}: expected a number")
    return value


def _title(plan: MigrationPlan) -> str:
    return (
        f"Migration to {plan.target} {plan.to}, read on {plan.period}, {plan.currency}: "
        f"{len(plan.waves)} waves at {plan.throughput_mib_per_second} MiB/s, "
        f"{plan.window_hours}-hour windows, at most {plan.wave_bound_bytes / GIB:,.0f} GiB a wave"
    )


def _rows(plan: MigrationPlan, output: OutputFormat) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for wave in plan.waves:
        for tenant in wave.tenants:
            rows.append(
                {
                    "wave": wave.wave,
                    "risk": tenant.risk,
                    "tenant": tenant.tenant,
                    "service_class": tenant.service_class,
                    "database_gib": round(tenant.database_bytes / GIB, 1),
                    "file_store_gib": round(tenant.file_store_bytes / GIB, 1),
                    "cutover_minutes": tenant.cutover_minutes,
                    "cost_before": tenant.cost_before,
                    "cost_after": tenant.cost_after,
                    "data_bytes": tenant.data_bytes,
                    "within_window": wave.within_window,
                    "within_bound": wave.within_bound,
                }
            )
        if output is OutputFormat.TABLE:
            rows.append(
                {
                    "wave": wave.wave,
                    "tenant": f"wave {wave.wave} total",
                    "database_gib": round(sum(t.database_bytes for t in wave.tenants) / GIB, 1),
                    "file_store_gib": round(sum(t.file_store_bytes for t in wave.tenants) / GIB, 1),
                    "cutover_minutes": wave.cutover_minutes,
                    "cost_before": wave.cost_before,
                    "cost_after": wave.cost_after,
                }
            )
    return rows


class ClassChangeOutput(enum.StrEnum):
    TABLE = "table"
    JSON = "json"


CHANGE_COLUMNS = [
    Column("item"),
    Column("before", numeric=True),
    Column("after", numeric=True),
    Column("change", numeric=True),
]


@app.command("class-change")
def class_change(
    ctx: typer.Context,
    tenant: str = typer.Argument(..., help="The tenant to move."),
    to: str = typer.Option(..., "--to", metavar="CLASS", help="The service class it moves to."),
    force: bool = typer.Option(
        False, "--force", help="Plan a class below the tenant's p95 use all the same."
    ),
    diff: bool = typer.Option(
        False, "--diff", help="Print the unified diff of the manifests (table output)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write the tenant's rendering under the new class here (Kustomize)."
    ),
    period: str | None = typer.Option(
        None, "--period", help="The month read, YYYY-MM (default: the newest allocated)."
    ),
    output: ClassChangeOutput = typer.Option(ClassChangeOutput.TABLE, "--output", "-o"),
) -> None:
    """The tenant in another class: its manifests before and after (a diff of `render`),
    the month's cost after (the allocation model on the new quota and sizing, with its
    share of shared cost), the fee change from the catalog, and the margin before and
    after. A class whose entitlement is below the tenant's p95 use is refused (exit 2,
    naming the entitlement and by how much) unless --force."""
    request = ClassChangeRequest(tenant=tenant, to=to, period=period, force=force, out=out)
    plan = plan_class_change(project_of(ctx), request)
    if output is ClassChangeOutput.JSON:
        emit_json(class_change_document(plan))
        return
    change = plan.change
    render(_change_rows(change), CHANGE_COLUMNS, OutputFormat.TABLE, title=_change_title(change))
    for shortfall in change.shortfalls:
        console.print(f"forced: {shortfall.sentence()}", markup=False, soft_wrap=True)
    for manifest in change.manifests:
        added, removed = _counted(manifest.diff)
        console.print(
            f"manifests {manifest.environment}: {manifest.objects_before} objects before, "
            f"{manifest.objects_after} after, +{added} -{removed} lines",
            markup=False,
            soft_wrap=True,
        )
    if plan.written:
        console.print(f"wrote {len(plan.written)} files under {out}", markup=False)
    if diff:
        console.file.flush()
        for manifest in change.manifests:
            sys.stdout.write(manifest.diff)


def _change_title(change: ClassChange) -> str:
    return (
        f"{change.tenant}: {change.from_class} -> {change.to_class}, read on {change.period} "
        f"({change.allocated_days} of {change.days_in_month} days allocated, "
        f"{change.contract_days} under contract), {change.currency}"
    )


def _change_rows(change: ClassChange) -> list[dict[str, Any]]:
    figures = (
        ("monthly fee (contract, then list)", change.monthly_fee_before, change.monthly_fee_after),
        ("fee", change.fee_before, change.fee_after),
        ("rendered cost (price sheet)", change.rendered_before.total, change.rendered_after.total),
        ("direct cost", change.cost_before.direct, change.cost_after.direct),
        ("shared cost", change.cost_before.shared, change.cost_after.shared),
        ("cost", change.cost_before.total, change.cost_after.total),
        ("margin", change.margin_before, change.margin_after),
    )
    return [
        {"item": name, "before": before, "after": after, "change": after - before}
        for name, before, after in figures
    ]


def _counted(diff: str) -> tuple[int, int]:
    lines = diff.splitlines()[2:]  # past the ---/+++ header
    return (
        sum(1 for line in lines if line.startswith("+")),
        sum(1 for line in lines if line.startswith("-")),
    )
