"""`costplane notify run|test|history`: findings, budget thresholds, anomalies and stale
sources, told to the catalog's routes once each."""

from __future__ import annotations

from typing import Any

import typer

from costplane.errors import ExecutionError
from costplane.notifications import Delivery, Message
from costplane.service import NotifyRequest, notification_history, run_notifications, try_route
from costplane.surfaces.cli.output import Column, OutputFormat, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Tell people: events routed by the catalog to chat and e-mail.")

RUN_COLUMNS = [
    Column("route"),
    Column("channel"),
    Column("events", numeric=True),
    Column("destination"),
    Column("status"),
    Column("error"),
]
HISTORY_COLUMNS = [
    Column("route"),
    Column("event_key", "event"),
    Column("status"),
    Column("attempts", numeric=True),
    Column("last_tried_at", "last tried (UTC)"),
    Column("last_error", "last error"),
]


@app.command()
def run(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be sent; send nothing."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Send each route the events it has not heard yet; exit 1 if a delivery failed (after
    trying every route: the failed ones are tried again next run)."""
    done = run_notifications(project_of(ctx), NotifyRequest(dry_run=dry_run))
    rows = (
        [_planned_row(m) for m in done.planned]
        if dry_run
        else [_delivery_row(d) for d in done.deliveries]
    )
    render(rows, RUN_COLUMNS, output, title=f"notifications ({done.events} events found)")
    if done.failed:
        raise ExecutionError(f"{len(done.failed)} of {len(done.deliveries)} deliveries failed")


@app.command("test")
def send_sample(
    ctx: typer.Context,
    route: str = typer.Argument(..., help="The route's id in the catalog."),
) -> None:
    """Send a sample message to one route, recording nothing."""
    delivery = try_route(project_of(ctx), route, NotifyRequest())
    if not delivery.delivered:
        raise ExecutionError(delivery.error or f"route {route}: not delivered")
    typer.echo(f"sent a sample to route {route} ({delivery.destination})")


@app.command()
def history(
    ctx: typer.Context,
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """What each route was told, or tried to be: latest first."""
    rows = notification_history(project_of(ctx))
    render(rows, HISTORY_COLUMNS, output, title="notifications sent")


def _planned_row(message: Message) -> dict[str, Any]:
    return {
        "route": message.route.id,
        "channel": message.route.channel.value,
        "events": len(message.events),
        "destination": "",
        "status": "would send",
        "error": None,
        "event_keys": [e.key for e in message.events],
    }


def _delivery_row(delivery: Delivery) -> dict[str, Any]:
    row = _planned_row(delivery.message)
    row.update(
        destination=delivery.destination,
        status="sent" if delivery.delivered else "failed",
        error=delivery.error,
    )
    return row
