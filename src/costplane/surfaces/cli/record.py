"""`costplane record restore-test`: evidence of what happened outside Costplane."""

from __future__ import annotations

import datetime as dt
import enum

import typer

from costplane.actions import current_actor
from costplane.sources.backups import (
    RestoreTest,
    parse_time,
    restore_test_load,
    restore_test_record,
)
from costplane.sources.ingest import open_and_ingest
from costplane.state import RestoreTestRecord, record_restore_test
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
    project = project_of(ctx)
    who = current_actor(by)
    test = RestoreTest(
        tenant=tenant,
        at=parse_time(at, "--at"),
        result=result.value,
        evidence_url=evidence,
        by=who,
        environment=environment,
        backup_id=backup_id,
    )
    record = restore_test_record(test, project.catalog())
    # A run refused because the warehouse is busy is recorded too, as `ingest` records it.
    (written,) = open_and_ingest(project.warehouse, project.state(), [restore_test_load(record)])
    kept = record_restore_test(
        project.state(),
        RestoreTestRecord(
            tenant=record.tenant,
            environment=record.environment,
            database=record.database,
            tested_at=record.finished_at,
            result=record.status,
            evidence_url=record.evidence_url,
            backup_id=record.backup_id,
            ran_by=who,
            recorded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            load_id=written.load_id,
        ),
    )
    document = {
        "tenant": record.tenant,
        "environment": record.environment,
        "database": record.database,
        "at": record.finished_at,
        "result": record.status,
        "evidence_url": record.evidence_url,
        "by": kept.ran_by,
        "backup_id": record.backup_id,
        "replaced": written.replaced_load_id is not None,
    }
    if output is OutputFormat.JSON:
        emit_json(document)
    else:
        render([document], COLUMNS, output, title="restore test recorded")
