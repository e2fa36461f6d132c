"""Recording evidence from outside Costplane: a restore test's result, who ran it, and
where its proof is. The test is loaded into the warehouse (as `backup_records`) and
kept in the state store; the same tenant and time again replaces it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from costplane.service.project import Project
from costplane.sources import open_and_ingest
from costplane.sources.backups import RestoreTest, restore_test_load, restore_test_record
from costplane.state import RestoreTestRecord, record_restore_test


@dataclass(frozen=True)
class RecordedRestoreTest:
    tenant: str | None
    environment: str | None
    database: str | None
    at: dt.datetime | None
    result: str
    evidence_url: str | None
    by: str
    backup_id: str | None
    replaced: bool
    """Whether it replaced a test recorded earlier for the same tenant and time."""


def record_restore(project: Project, test: RestoreTest) -> RecordedRestoreTest:
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
            ran_by=test.by,
            recorded_at=dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0),
            load_id=written.load_id,
        ),
    )
    return RecordedRestoreTest(
        tenant=record.tenant,
        environment=record.environment,
        database=record.database,
        at=record.finished_at,
        result=record.status,
        evidence_url=record.evidence_url,
        by=kept.ran_by,
        backup_id=record.backup_id,
        replaced=written.replaced_load_id is not None,
    )
