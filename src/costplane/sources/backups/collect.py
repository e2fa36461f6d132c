"""`costplane collect backups`: pgBackRest, Velero and an object store, read into one run.

Each system named is read on its own. One that fails (pgBackRest reports an
error, the bucket refuses the listing, no inventory holds Velero objects) is
reported in `missing` while the others are loaded; when every one fails, the
run fails with one line per system. Bad input (an unreadable info file, an
unknown tenant in a mapping) stops the run before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from costplane.catalog import Catalog
from costplane.errors import CostplaneError, InputError, ServiceUnavailableError
from costplane.sources.backups.object_store import BucketSource, read_object_store
from costplane.sources.backups.pgbackrest_rows import PgBackRestSource, read_pgbackrest
from costplane.sources.backups.records import utc_now
from costplane.sources.backups.summary import system_summary, tenant_summary
from costplane.sources.backups.system import SystemRead
from costplane.sources.backups.tenancy import Placement, TenantIndex
from costplane.sources.backups.velero import read_velero
from costplane.sources.collector import Collected
from costplane.warehouse import Warehouse

SOURCE = "backups"


@dataclass(frozen=True)
class BackupSources:
    """The systems to read; at least one."""

    pgbackrest: PgBackRestSource | None = None
    bucket: BucketSource | None = None
    velero: Callable[[], Warehouse] | None = field(default=None, compare=False)
    """Opens the warehouse whose latest inventory holds the Velero Backups."""

    @property
    def target(self) -> str:
        parts = [self.pgbackrest.target] if self.pgbackrest else []
        parts += [self.bucket.target] if self.bucket else []
        parts += ["velero (latest Kubernetes inventory)"] if self.velero else []
        return ", ".join(parts)


def parse_stanza_tenant(text: str, tenants: TenantIndex) -> tuple[str, Placement]:
    """`STANZA=TENANT` or `STANZA=TENANT/ENVIRONMENT`, checked against the catalog."""
    stanza, _, assigned = text.partition("=")
    tenant, _, environment = assigned.partition("/")
    if not stanza or not tenant:
        raise InputError(f"--stanza-tenant {text!r}: expected STANZA=TENANT[/ENVIRONMENT]")
    placement = tenants.for_tenant(tenant, environment or None)
    if placement is None:
        what = (
            f"tenant {tenant!r}"
            if tenant not in tenants.tenants
            else (f"environment {environment!r} of tenant {tenant!r}")
        )
        raise InputError(f"--stanza-tenant {text!r}: {what} is not in the catalog")
    return stanza, placement


def collect_backups(
    sources: BackupSources, catalog: Catalog, now: dt.datetime | None = None
) -> Collected:
    """Read every system named; partial when some (not all) fail."""
    if not (sources.pgbackrest or sources.bucket or sources.velero):
        raise InputError(
            "name a backup system: --pgbackrest-info, --pgbackrest-config, --s3-bucket or --velero"
        )
    tenants = TenantIndex(catalog)
    taken_at = now or utc_now()
    reads: list[SystemRead] = []
    systems, failures = [], []
    for system, target, read in _readers(sources, tenants, taken_at):
        try:
            done = read()
        except InputError:
            raise
        except CostplaneError as error:
            failures.append(str(error))
            systems.append(system_summary(None, system, target, str(error)))
            continue
        reads.append(done)
        systems.append(system_summary(done, system, done.target, None))
    if not reads:
        raise ServiceUnavailableError("; ".join(failures))
    records = [r for read in reads for r in read.records]
    summary = {
        "taken_at": taken_at,
        "systems": systems,
        "tenants": tenant_summary(records, tenants),
    }
    return Collected(
        source=SOURCE,
        target=sources.target,
        loads=[load for read in reads for load in read.loads],
        summary=summary,
        missing=[*failures, *(m for read in reads for m in read.missing)],
    )


def _readers(
    sources: BackupSources, tenants: TenantIndex, taken_at: dt.datetime
) -> list[tuple[str, str, Callable[[], SystemRead]]]:
    readers: list[tuple[str, str, Callable[[], SystemRead]]] = []
    if (pgbackrest := sources.pgbackrest) is not None:
        readers.append(
            (
                "pgbackrest",
                pgbackrest.target,
                lambda: read_pgbackrest(pgbackrest, tenants, taken_at),
            )
        )
    if (bucket := sources.bucket) is not None:
        readers.append(("s3", bucket.target, lambda: read_object_store(bucket, tenants, taken_at)))
    if (opener := sources.velero) is not None:

        def velero() -> SystemRead:
            with opener() as warehouse:
                return read_velero(warehouse, tenants)

        readers.append(("velero", "latest Kubernetes inventory", velero))
    return readers
