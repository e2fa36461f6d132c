"""The backup catalogue of one period, read from `backup_records`, per tenant and database.

A listing is a snapshot of what the backup tool still holds; every listing taken by the
period's end counts (a backup that has since expired still finished when it did), and a
backup listed twice is one backup. Besides the records that finished in the period, the
newest good backup and the newest good restore test before it are read: the first opens
the period's first gap, the second may be the last verified restore when the class
tests less often than monthly.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from costplane.warehouse import BACKUP_RECORDS, Warehouse, temporary_table

BACKUP, RESTORE_TEST = "backup", "restore-test"
GOOD = "ok"

COLUMNS = (
    "record_type",
    "tool",
    "backup_id",
    "tenant",
    "environment",
    "database",
    "backup_type",
    "started_at",
    "finished_at",
    "status",
    "location",
    "location_region",
    "data_region",
    "evidence_url",
)


@dataclass(frozen=True)
class BackupEntry:
    """One backup or restore test as the catalogue lists it (naive UTC times)."""

    record_type: str
    tool: str | None
    backup_id: str | None
    tenant: str | None
    environment: str | None
    database: str | None
    backup_type: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime
    status: str
    location: str | None
    location_region: str | None
    data_region: str | None
    evidence_url: str | None

    @property
    def good(self) -> bool:
        return self.status == GOOD

    @property
    def duration(self) -> dt.timedelta | None:
        """How long it ran; unknown when the record gives no start before its end (a
        restore test recorded by hand gives one instant)."""
        if self.started_at is None or self.started_at >= self.finished_at:
            return None
        return self.finished_at - self.started_at


@dataclass(frozen=True)
class Catalogue:
    """What the backup records say about a period, up to `as_of`."""

    start: dt.datetime
    as_of: dt.datetime
    entries: tuple[BackupEntry, ...]
    """Backups and restore tests that finished in [start, as_of), oldest first."""
    before: tuple[BackupEntry, ...]
    """Per (record type, tenant, database): the newest good one that finished before start."""
    newest_listing: dt.datetime | None = None
    """When the newest backup listing taken by the period's end was taken (None: none was)."""

    def of_tenant(self, tenant: str) -> Catalogue:
        entries, before = self._by_tenant.get(tenant, ([], []))
        return Catalogue(self.start, self.as_of, tuple(entries), tuple(before), self.newest_listing)

    @cached_property
    def _by_tenant(self) -> dict[str | None, tuple[list[BackupEntry], list[BackupEntry]]]:
        """Each tenant's entries and entries before, in order: grouped once, so judging
        thousands of tenants does not scan every tenant's records for each."""
        grouped: dict[str | None, tuple[list[BackupEntry], list[BackupEntry]]] = defaultdict(
            lambda: ([], [])
        )
        for entry in self.entries:
            grouped[entry.tenant][0].append(entry)
        for entry in self.before:
            grouped[entry.tenant][1].append(entry)
        return grouped


def read_catalogue(
    warehouse: Warehouse, start: dt.datetime, end: dt.datetime, tenants: Collection[str]
) -> Catalogue:
    """The catalogue of [start, end) for `tenants`, up to the newest listing taken by `end`.

    `as_of` is the period's end, or the newest listing's instant when that is earlier: a
    listing cannot show a backup that finished after it was taken, so a period still
    running (or a collector that stopped) is judged up to what is known. The newest
    listing of any tenant counts: a tenant missing from it has no backup listed.
    """
    records = warehouse.table(BACKUP_RECORDS.name)
    listed = records.filter(records.taken_at <= end)
    newest = listed.filter(listed.record_type == BACKUP).taken_at.max().to_pyarrow().as_py()
    # A table, not a list: compiling `isin` over thousands of names took seconds.
    wanted = temporary_table(warehouse, "dr_tenants", pa.table({"tenant": list(tenants)}))
    listed = listed.filter(listed.tenant.isin(wanted.tenant))
    as_of = min(end, newest) if newest is not None else end
    found = listed.filter(listed.finished_at < as_of)
    during = found.filter(found.finished_at >= start).select(*COLUMNS).distinct()
    good_before = found.filter((found.finished_at < start) & (found.status == GOOD))
    return Catalogue(
        start,
        as_of,
        tuple(sorted(_entries(during), key=_order)),
        tuple(sorted(_entries(_newest(good_before)), key=_order)),
        newest,
    )


def _newest(table: ir.Table) -> ir.Table:
    rank = ibis.row_number().over(
        group_by=[table.record_type, table.tenant, table.database],
        order_by=[ibis.desc(table.finished_at), ibis.desc(table.backup_id)],
    )
    return table.mutate(_rank=rank).filter(ibis._._rank == 0).select(*COLUMNS)


def _entries(table: ir.Table) -> list[BackupEntry]:
    return [BackupEntry(**row) for row in table.to_pyarrow().to_pylist()]


def _order(entry: BackupEntry) -> tuple[dt.datetime, str, str]:
    return (entry.finished_at, entry.database or "", entry.backup_id or "")
