"""`costplane findings list|show|ack|suppress`: the findings `govern` keeps, and their status."""

from __future__ import annotations

import datetime as dt

import typer

from costplane.governance import Status, StoredFinding
from costplane.service import (
    ACTIVE,
    FindingsQuery,
    Suppression,
    acknowledge_finding,
    finding_document,
    kept_finding,
    kept_findings,
    suppress_finding,
)
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, err_console, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Findings kept by `costplane govern`: list, show, acknowledge, suppress.")

LIST_COLUMNS = [
    Column("id", numeric=True),
    Column("severity"),
    Column("policy"),
    Column("kind"),
    Column("namespace"),
    Column("name"),
    Column("tenant"),
    Column("monthly_waste", "monthly waste", numeric=True),
    Column("status"),
    Column("last_seen", "last seen (UTC)"),
]
SHOW_COLUMNS = [Column("field"), Column("value")]


@app.command("list")
def list_(
    ctx: typer.Context,
    status: list[Status] = typer.Option(
        [], "--status", help="Only these statuses (repeatable); default: open and acknowledged."
    ),
    every: bool = typer.Option(False, "--all", help="Every status, resolved and suppressed too."),
    policy: str | None = typer.Option(None, "--policy", help="Only this policy's findings."),
    tenant: str | None = typer.Option(None, "--tenant", help="Only this tenant's findings."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Findings, most money first."""
    wanted = None if every else (tuple(status) or ACTIVE)
    query = FindingsQuery(statuses=wanted, policy=policy, tenant=tenant)
    found = kept_findings(project_of(ctx), query)
    listed = [{k: v for k, v in finding_document(f).items() if k != "history"} for f in found]
    if output is OutputFormat.JSON:  # every field, the fingerprint included; history: `show`
        emit_json(listed)
    else:
        render(listed, LIST_COLUMNS, output, title="findings")


@app.command()
def show(
    ctx: typer.Context,
    reference: str = typer.Argument(..., metavar="ID", help="Id, or fingerprint (its start)."),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """One finding in full: resource, money, fix, the values the policy compared (its
    evidence), and its history (each change of status: when, who, why)."""
    shown(kept_finding(project_of(ctx), reference), output)


@app.command()
def ack(
    ctx: typer.Context,
    reference: str = typer.Argument(..., metavar="ID", help="Id, or fingerprint (its start)."),
    by: str | None = typer.Option(
        None, "--by", help="Who (default: $COSTPLANE_ACTOR, else the login name)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Acknowledge a finding: seen, and someone is on it (it still fails --fail-on)."""
    found = acknowledge_finding(project_of(ctx), reference, by)
    err_console.print(f"finding {found.id} acknowledged by {found.acknowledged_by}", markup=False)
    shown(found, output)


@app.command("suppress")
def suppress_(
    ctx: typer.Context,
    reference: str = typer.Argument(..., metavar="ID", help="Id, or fingerprint (its start)."),
    until: dt.datetime = typer.Option(
        ..., "--until", formats=["%Y-%m-%d"], help="Last day (UTC) it stays suppressed."
    ),
    reason: str = typer.Option(..., "--reason", help="Why: kept with the finding."),
    by: str | None = typer.Option(
        None, "--by", help="Who decided (default: $COSTPLANE_ACTOR, else the login name)."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Suppress a finding until a date: it is neither listed nor fails --fail-on until then."""
    suppression = Suppression(until=until.date(), reason=reason, by=by)
    found = suppress_finding(project_of(ctx), reference, suppression)
    err_console.print(
        f"finding {found.id} suppressed until {found.suppressed_until} by {found.suppressed_by}",
        markup=False,
    )
    shown(found, output)


def shown(finding: StoredFinding, output: OutputFormat) -> None:
    full = finding_document(finding)
    if output is OutputFormat.JSON:
        emit_json(full)
        return
    full.pop("resource")
    evidence = full.pop("evidence")
    history = full.pop("history")
    rows = [{"field": key, "value": value} for key, value in full.items() if value is not None]
    rows += [
        {"field": f"evidence: {name}", "value": "unknown" if value is None else value}
        for name, value in evidence.items()
    ]
    rows += [
        {
            "field": "history" if index == 0 else "",
            "value": f"{change['at']:%Y-%m-%d %H:%M} UTC {change['status']} by {change['by']}"
            + (f": {change['reason']}" if change["reason"] else ""),
        }
        for index, change in enumerate(history)
    ]
    render(rows, SHOW_COLUMNS, output, title=f"finding {finding.id}")
