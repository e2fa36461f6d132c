"""Facts from `backup_records`: the newest good backup and restore test of each database,
and where backups are kept against where the data lives.

Every listing taken at or before the evaluation instant counts: a backup that has
since expired from the catalogue still finished when it did. The newest record per
database is picked in the warehouse (a window function), so only those leave it. Only records with
status `ok` count. Subjects are `backup-set` and `database` resources (by database
name) and `tenant` resources (their newest over all their databases).
`data_region` is where the database lives as the backup tool recorded it, else
the tenant's `region` in the catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import ibis

from costplane.catalog import Catalog
from costplane.governance.facts.fact import FactDefinition, FactRequest, FactType
from costplane.governance.facts.provider import WarehouseProvider
from costplane.governance.facts.window import aware_utc, bounds
from costplane.governance.inventory.resources import ResourceRef
from costplane.warehouse import Warehouse

BACKUP, RESTORE_TEST = "backup", "restore-test"


class BackupFacts(WarehouseProvider):
    """Backup and restore-test facts, one query per instant."""

    FACTS = (
        FactDefinition(
            "last_backup", FactType.TIMESTAMP, "when the newest successful backup finished"
        ),
        FactDefinition(
            "last_verified_restore",
            FactType.TIMESTAMP,
            "when the newest successful restore test finished",
        ),
        FactDefinition(
            "backup_region", FactType.TEXT, "the region of the newest good backup's location"
        ),
        FactDefinition("data_region", FactType.TEXT, "the region the backed-up data lives in"),
    )

    def __init__(self, warehouse: Warehouse, catalog: Catalog | None = None) -> None:
        super().__init__(warehouse)
        self.regions = {t.id: t.region for t in catalog.tenants} if catalog is not None else {}

    def values(self, request: FactRequest, subjects: Sequence[ResourceRef]) -> Sequence[object]:
        _, end = bounds(request)
        newest = self.cache.get(end, lambda: self._newest(end))
        return [self._value(request.name, ref, newest) for ref in subjects]

    def _value(self, name: str, ref: ResourceRef, newest: _Newest) -> object:
        if name == "data_region":
            row = newest.backup(ref)
            region = row.get("data_region") if row else None
            return region or self.regions.get(ref.tenant or "")
        if name == "backup_region":
            row = newest.backup(ref)
            return row.get("location_region") if row else None
        row = newest.backup(ref) if name == "last_backup" else newest.restore(ref)
        finished = row.get("finished_at") if row else None
        return aware_utc(finished) if isinstance(finished, dt.datetime) else None

    def _newest(self, end: dt.datetime) -> _Newest:
        records = self.warehouse.table("backup_records")
        good = records.filter(
            (records.taken_at <= end)
            & (records.finished_at <= end)
            & (records.status == "ok")
            & records.record_type.isin([BACKUP, RESTORE_TEST])
        )
        order = ibis.row_number().over(
            group_by=[good.record_type, good.tenant, good.database],
            order_by=ibis.desc(good.finished_at),
        )
        newest = good.mutate(rank=order).filter(lambda t: t.rank == 0)
        rows = newest.select(
            "record_type", "tenant", "database", "finished_at", "location_region", "data_region"
        ).to_pyarrow()
        return _Newest.of(rows.to_pylist())


class _Newest:
    """The newest good backup and restore test per database and per tenant."""

    def __init__(self) -> None:
        self.by_database: dict[tuple[str, str], dict[str, Any]] = {}
        self.by_tenant: dict[tuple[str, str], dict[str, Any]] = {}

    @classmethod
    def of(cls, rows: list[dict[str, Any]]) -> _Newest:
        found = cls()
        for row in rows:
            kind = row["record_type"]
            if row["database"]:
                _keep(found.by_database, (kind, row["database"]), row)
            if row["tenant"]:
                _keep(found.by_tenant, (kind, row["tenant"]), row)
        return found

    def backup(self, ref: ResourceRef) -> dict[str, Any] | None:
        return self._find(BACKUP, ref)

    def restore(self, ref: ResourceRef) -> dict[str, Any] | None:
        return self._find(RESTORE_TEST, ref)

    def _find(self, kind: str, ref: ResourceRef) -> dict[str, Any] | None:
        if ref.kind in ("backup-set", "database"):
            return self.by_database.get((kind, ref.name))
        if ref.kind == "tenant":
            return self.by_tenant.get((kind, ref.name))
        return None


def _keep(
    newest: dict[tuple[str, str], dict[str, Any]], key: tuple[str, str], row: dict[str, Any]
) -> None:
    known = newest.get(key)
    if known is None or row["finished_at"] > known["finished_at"]:
        newest[key] = row
