"""`costplane record restore-test`: evidence of what happened outside Costplane."""

from __future__ import annotations

import enum

import typer

from costplane.actions import current_actor
from costplane.service import as_row, record_restore
from costplane.sources.backups import RestoreTest, parse_time
from costplane.surfaces.cli.output import Column, OutputFormat, emit_json, render
from costplane.surfaces.cli.project import project_of

app = typer.Typer(help="Record evidence from outside Costplane (restore tests).")


class Result(enum.StrEnum):
    OK = "ok"
    FAILED = "failed"


COLUMNS = [
    Column("tenant"),
    Column("environment"),
    Column("at"),
    Column("result"),
    Column("evidence_url", "evidence"),
    Column("by"),
    Column("replaced"),
]


@app.command("restore-test")
def restore_test(
    ctx: typer.Context,
    tenant: str = typer.Option(..., "--tenant", metavar="TENANT", help="A catalog tenant id."),
    at: str = typer.Option(
        ..., "--at", metavar="TIME", help="When the test ran: ISO 8601, UTC when no offset."
    ),
    result: Result = typer.Option(..., "--result", help="Whether the restored data was good."),
    evidence: str | None = typer.Option(
        None, "--evidence", metavar="URL", help="Where the proof is: a job log, a ticket."
    ),
    by: str | None = typer.Option(
        None,
        "--by",
        metavar="NAME",
        help="Who or what ran it (default: $COSTPLANE_ACTOR, else the login name).",
    ),
    environment: str | None = typer.Option(
        None, "--environment", metavar="ENV", help="The tenant's environment (production)."
    ),
    backup_id: str | None = typer.Option(
        None, "--backup-id", metavar="LABEL", help="The backup restored, e.g. a pgBackRest label."
    ),
    output: OutputFormat = typer.Option(OutputFormat.TABLE, "--output", "-o"),
) -> None:
    """Store a restore test's result and evidence, and who ran it; the same tenant and time
    again replaces it."""
    test = RestoreTest(
        tenant=tenant,
        at=parse_time(at, "--at"),
        result=result.value,
        evidence_url=evidence,
        by=current_actor(by),
        environment=environment,
        backup_id=backup_id,
    )
    document = as_row(record_restore(project_of(ctx), test))
    if output is OutputFormat.JSON:
        emit_json(document)
    else:
        render([document], COLUMNS, output, title="restore test recorded")
