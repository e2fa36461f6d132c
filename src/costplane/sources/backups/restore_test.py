"""Restore-test evidence, recorded by hand or by the job that ran the test.

Restore tests happen outside Costplane; what proves one is a time, a result
and a link to the evidence (a job log, a ticket). Each is one `backup_records`
row ("restore-test", as the fleet writes them) in its own load keyed by
(tenant, time): recording the same test again replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlparse

from costplane.catalog import Catalog
from costplane.errors import InputError
from costplane.sources.backups.records import (
    RESTORE_TEST,
    BackupRecord,
    naive_utc,
    records_table,
    utc_now,
)
from costplane.sources.backups.tenancy import TenantIndex
from costplane.warehouse import Load

SOURCE = "restore-test"
RESULTS = ("ok", "failed")
FUTURE_SLACK = dt.timedelta(minutes=5)
"""Clocks differ a little; a test further in the future than this is a typo."""


@dataclass(frozen=True)
class RestoreTest:
    tenant: str
    at: dt.datetime
    result: str
    evidence_url: str | None = None
    by: str | None = None
    """Who or what ran the test; stored in `tool`."""
    environment: str | None = None
    """Default: production, when the tenant has it."""
    backup_id: str | None = None
    """The backup that was restored, when known."""


def parse_time(text: str, option: str) -> dt.datetime:
    """ISO 8601 (`2025-03-01T04:10:00Z`, `2025-03-01 04:10+01:00`) as naive UTC; no offset
    means UTC."""
    try:
        return naive_utc(dt.datetime.fromisoformat(text.strip()))
    except ValueError:
        raise InputError(
            f"{option} {text!r}: not an ISO 8601 time (e.g. 2025-03-01T04:10:00Z)"
        ) from None


def restore_test_record(
    test: RestoreTest, catalog: Catalog, now: dt.datetime | None = None
) -> BackupRecord:
    """The test as a row, after checking it against the catalog; InputError naming what is
    wrong."""
    tenants = TenantIndex(catalog)
    if test.tenant not in tenants.tenants:
        raise InputError(f"--tenant {test.tenant!r}: no such tenant in the catalog")
    placement = tenants.for_tenant(test.tenant, test.environment)
    if placement is None:
        raise InputError(
            f"--environment {test.environment!r}: tenant {test.tenant!r} has no such environment"
        )
    if test.result not in RESULTS:
        raise InputError(f"--result {test.result!r}: expected ok or failed")
    at = naive_utc(test.at).replace(microsecond=0)
    now = now or utc_now()
    if at > now + FUTURE_SLACK:
        raise InputError(f"--at {at.isoformat()}: in the future (now is {now.isoformat()} UTC)")
    if test.evidence_url is not None:
        _check_url(test.evidence_url)
    return BackupRecord(
        taken_at=at,
        record_type=RESTORE_TEST,
        tool=test.by,
        backup_id=test.backup_id,
        tenant=placement.tenant,
        environment=placement.environment,
        database=placement.database,
        backup_type=None,
        started_at=at,
        finished_at=at,
        size_bytes=None,
        location=None,
        location_region=None,
        data_region=tenants.region(placement.tenant),
        status=test.result,
        evidence_url=test.evidence_url,
    )


def restore_test_load(record: BackupRecord) -> Load:
    """One load for (tenant, time), so that recording the test again replaces it."""
    at = record.taken_at
    scope = record.tenant or ""
    return Load("backup_records", SOURCE, scope, at, at, records_table([record]))


def _check_url(url: str) -> None:
    parsed = urlparse(url)
    if not parsed.scheme or not (parsed.netloc or parsed.path) or " " in url:
        raise InputError(f"--evidence {url!r}: not a URL (e.g. https://ci.example.net/jobs/42)")
