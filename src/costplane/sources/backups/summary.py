"""The `costplane collect backups` summary: per tenant, its newest backup and who listed it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from costplane.sources.backups.records import BACKUP, LISTING, BackupRecord
from costplane.sources.backups.system import SystemRead
from costplane.sources.backups.tenancy import TenantIndex


def tenant_summary(records: Sequence[BackupRecord], tenants: TenantIndex) -> list[dict[str, Any]]:
    """Every catalog tenant (and the unmapped, when any): newest good backup, its size and
    location, and which systems listed anything for it."""
    by_tenant: dict[str | None, list[BackupRecord]] = {tenant: [] for tenant in tenants.tenants}
    for record in records:
        by_tenant.setdefault(record.tenant, []).append(record)
    return [_tenant(tenant, rows) for tenant, rows in by_tenant.items()]


def _tenant(tenant: str | None, records: list[BackupRecord]) -> dict[str, Any]:
    done = [
        r
        for r in records
        if r.record_type in (BACKUP, LISTING) and r.status == "ok" and r.finished_at is not None
    ]
    # the newest first; of equally new rows, the one that carries a size
    newest = max(done, key=lambda r: (r.finished_at, r.size_bytes is not None), default=None)
    return {
        "tenant": tenant,
        "newest_backup_at": newest.finished_at if newest else None,
        "backup_id": newest.backup_id if newest else None,
        "tool": newest.tool if newest else None,
        "size_bytes": newest.size_bytes if newest else None,
        "location": newest.location if newest else None,
        "expires_at": newest.expires_at if newest else None,
        "systems": sorted({r.tool for r in records if r.tool}),
        "failed_backups": len(
            {(r.tool, r.location) for r in records if r.status in ("error", "partial")}
        ),
    }


def system_summary(
    read: SystemRead | None, system: str, target: str, error: str | None
) -> dict[str, Any]:
    """One system as the summary lists it: how many rows it gave, or why it gave none."""
    return {
        "system": system,
        "target": target,
        "status": "failed" if read is None else ("partial" if read.missing else "ok"),
        "records": len(read.records) if read else 0,
        "error": error,
        **(read.details if read else {}),
    }
