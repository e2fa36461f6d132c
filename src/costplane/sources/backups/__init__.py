"""Backups: pgBackRest, Velero and object-store listings into `backup_records`, and restore tests.

See docs/sources/backups.md for what each system gives and how tenants are found.
"""

from costplane.sources.backups.collect import (
    BackupSources,
    collect_backups,
    parse_stanza_tenant,
)
from costplane.sources.backups.object_store import BucketSource
from costplane.sources.backups.pgbackrest_rows import PgBackRestSource
from costplane.sources.backups.restore_test import (
    RestoreTest,
    parse_time,
    restore_test_load,
    restore_test_record,
)
from costplane.sources.backups.tenancy import TenantIndex

__all__ = [
    "BackupSources",
    "BucketSource",
    "PgBackRestSource",
    "RestoreTest",
    "TenantIndex",
    "collect_backups",
    "parse_stanza_tenant",
    "parse_time",
    "restore_test_load",
    "restore_test_record",
]
