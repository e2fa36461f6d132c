"""`costplane findings list|show|ack|suppress`: the findings `govern` keeps, and their status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer

from costplane.actions import current_actor
from costplane.governance.findings import Status
from costplane.governance.findings_store import (
    StoredFinding,
    acknowledge,
    get_finding,
    list_findings,
    suppress,
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
ACTIVE = (Status.OPEN, Status.ACKNOWLEDGED)


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
    wanted = None if every else (status or list(ACTIVE))
    found = list_findings(
        project_of(ctx).state(create=False), statuses=wanted, policy=policy, tenant=tenant
    )
    listed = [{k: v for k, v in document(f).items() if k != "history"} for f in found]
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
    found = get_finding(project_of(ctx).state(create=False), reference)
    shown(found, output)


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
    found = acknowledge(
        project_of(ctx).state(create=False), reference, current_actor(by), dt.datetime.now(dt.UTC)
    )
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
    found = suppress(
        project_of(ctx).state(create=False),
        reference,
        until.date(),
        reason,
        current_actor(by),
        dt.datetime.now(dt.UTC),
    )
    err_console.print(
        f"finding {found.id} suppressed until {found.suppressed_until} by {found.suppressed_by}",
        markup=False,
    )
    shown(found, output)


def document(finding: StoredFinding) -> dict[str, Any]:
    """A stored finding as JSON shows it (the same keys as `govern --output json`, and more)."""
    return {
        "id": finding.id,
        "policy": finding.policy,
        "severity": finding.severity,
        "resource": {"kind": finding.kind, "namespace": finding.namespace, "name": finding.name},
        "cluster": finding.cluster,
        "kind": finding.kind,
        "namespace": finding.namespace,
        "name": finding.name,
        "tenant": finding.tenant,
        "environment": finding.environment,
        "monthly_waste": finding.monthly_waste,
        "currency": finding.currency,
        "message": finding.message,
        "fix": finding.fix,
        "fingerprint": finding.fingerprint,
        "status": finding.status,
        "first_seen": finding.first_seen,
        "last_seen": finding.last_seen,
        "resolved_at": finding.resolved_at,
        "acknowledged_at": finding.acknowledged_at,
        "acknowledged_by": finding.acknowledged_by,
        "suppressed_until": finding.suppressed_until,
        "suppressed_reason": finding.suppressed_reason,
        "suppressed_by": finding.suppressed_by,
        "evidence": dict(finding.evidence),
        "history": [
            {"at": change.at, "status": change.status, "by": change.by, "reason": change.reason}
            for change in finding.history
        ],
    }


def shown(finding: StoredFinding, output: OutputFormat) -> None:
    full = document(finding)
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
