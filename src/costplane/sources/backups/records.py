"""Rows of the `backup_records` table, whatever system listed them.

The rows mean what the fleet generator's rows mean (`costplane_fleet.backups`):
one row per backup the catalogue lists at `taken_at` (`record_type` "backup"),
`size_bytes` being the bytes that backup adds to its repository, so that the
sizes of a tenant's listed backups add up to what it keeps there; one row per
restore test ("restore-test", with its evidence). Object-store listings add a
third kind, "listing": the bytes and newest object under a tenant's prefix,
kept apart so that they are never added to the backups they may contain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from costplane.warehouse import BACKUP_RECORDS

BACKUP = "backup"
LISTING = "listing"
RESTORE_TEST = "restore-test"


@dataclass(frozen=True)
class BackupRecord:
    """One row of `backup_records`; `expires_at` is shown in summaries, not stored."""

    taken_at: dt.datetime
    record_type: str
    tool: str | None
    backup_id: str | None
    tenant: str | None
    environment: str | None
    database: str | None
    backup_type: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    size_bytes: int | None
    location: str | None
    location_region: str | None
    data_region: str | None
    status: str
    evidence_url: str | None = None
    expires_at: dt.datetime | None = field(default=None, compare=False)


def records_table(records: Iterable[BackupRecord]) -> pa.Table:
    """The records as an Arrow table with the declared columns, in their order."""
    schema = BACKUP_RECORDS.schema.to_pyarrow()
    columns: dict[str, list[object]] = {name: [] for name in schema.names}
    for record in records:
        for name, values in columns.items():
            values.append(getattr(record, name))
    return pa.table(columns, schema=schema)


def naive_utc(moment: dt.datetime) -> dt.datetime:
    """`moment` as naive UTC, the form the warehouse stores."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
