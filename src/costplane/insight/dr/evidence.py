"""DR evidence: each recovery requirement of a tenant's class, what the backup records show,
pass or fail, and the records behind it: the file an auditor asks for.

Requirements (docs/service-classes.md, "DR and backup evidence"):

- `rpo`: the longest gap between good backups of a production database, counting the gap
  from the newest good backup before the period to the first in it, and from the last
  one to the end of what is known (`as_of`). When the listings hold no backup from
  before the period, they begin with their oldest backup: a backup tool forgets what its
  retention expired, so an expired backup and a missing one look alike, and the span
  before the oldest is not judged (the detail says from when the records speak). With
  no backup at all, the gap runs from the period's start. The achieved RPO is the worst
  database's. Pass when it is at most the class's RPO.
- `restore-tested`: days from the newest good restore test (of any time) to `as_of`.
  Pass when at most the class's restore test interval.
- `rto`: that restore test's duration (start to finish). Pass when known and at most
  the class's RTO; a test recorded with one instant has no duration and fails, since
  it proves nothing about time.
- `isolation`: every good backup of the period kept in a region other than the data's
  (the record's `data_region`, else the tenant's catalog region). Pass when there is at
  least one backup and all are elsewhere.

Only production counts: it is what the class's objectives protect.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from costplane.catalog import Catalog, EnvironmentKind, Tenant
from costplane.insight.dr.records import BACKUP, RESTORE_TEST, BackupEntry, Catalogue

Status = Literal["pass", "fail"]
PRODUCTION = EnvironmentKind.PRODUCTION.value
MINUTE = Decimal(60)
DAY = Decimal(86400)
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Evidence:
    """A record behind a requirement: a backup, a restore test, or a bound of the period."""

    kind: str
    """`backup`, `restore-test`, `period-start` or `as-of`."""
    finished_at: dt.datetime
    backup_id: str | None = None
    database: str | None = None
    tool: str | None = None
    started_at: dt.datetime | None = None
    status: str | None = None
    location: str | None = None
    location_region: str | None = None
    data_region: str | None = None
    evidence_url: str | None = None
    ran_by: str | None = None


@dataclass(frozen=True)
class Requirement:
    requirement: str
    required: Decimal | str
    achieved: Decimal | str | None
    unit: str
    status: Status
    detail: str
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class TenantRecovery:
    tenant: str
    service_class: str
    data_region: str
    rpo_minutes: int
    rto_minutes: int
    restore_test_interval_days: int
    status: Status
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class RecoveryEvidence:
    """Every tenant's DR requirements over [start, as_of)."""

    period: str
    start: dt.datetime
    end: dt.datetime
    as_of: dt.datetime
    tenants: tuple[TenantRecovery, ...]
    notes: tuple[str, ...] = ()
    """What a reader is told about the records as a whole (none listed, judged early)."""


RanBy = Mapping[tuple[str, dt.datetime], str]
"""Who ran a recorded restore test, by (tenant, test instant): the state store keeps it."""


def recovery_evidence(
    catalogue: Catalogue,
    catalog: Catalog,
    tenants: Sequence[Tenant],
    period: str,
    end: dt.datetime,
    ran_by: RanBy | None = None,
) -> RecoveryEvidence:
    """Each tenant's requirements, judged on its production backups in `catalogue`."""
    judged = []
    for tenant in tenants:
        service_class = catalog.service_classes[tenant.service_class]
        own = _production(catalogue.of_tenant(tenant.id), tenant)
        rules = service_class.backup
        region = tenant.region
        ran = ran_by or {}
        newest_test = _newest_test(own)
        requirements = (
            _rpo(own, tenant, rules.rpo_minutes),
            _restore_tested(own, newest_test, rules.restore_test_interval_days, ran),
            _rto(newest_test, rules.rto_minutes, ran),
            _isolation(own, region),
        )
        status: Status = "pass" if all(r.status == "pass" for r in requirements) else "fail"
        judged.append(
            TenantRecovery(
                tenant=tenant.id,
                service_class=tenant.service_class,
                data_region=region,
                rpo_minutes=rules.rpo_minutes,
                rto_minutes=rules.rto_minutes,
                restore_test_interval_days=rules.restore_test_interval_days,
                status=status,
                requirements=requirements,
            )
        )
    notes = []
    if catalogue.newest_listing is None:
        notes.append(
            f"no backup listing was taken by {end:%Y-%m-%d %H:%M}: every requirement fails "
            "for want of evidence (`costplane collect backups` lists them)"
        )
    elif catalogue.as_of < end:
        notes.append(
            f"judged up to the newest backup listing, {catalogue.as_of:%Y-%m-%d %H:%M}, "
            f"not the period's end ({end:%Y-%m-%d %H:%M})"
        )
    return RecoveryEvidence(
        period, catalogue.start, end, catalogue.as_of, tuple(judged), tuple(notes)
    )


def _production(catalogue: Catalogue, tenant: Tenant) -> Catalogue:
    """The records of the tenant's production: by environment, or by a production database
    the catalog names when the record has no environment."""
    production = tenant.environments.get(EnvironmentKind.PRODUCTION)
    databases = set(production.databases) if production is not None else set()

    def counts(entry: BackupEntry) -> bool:
        if entry.environment:
            return entry.environment == PRODUCTION
        return entry.database in databases

    return Catalogue(
        catalogue.start,
        catalogue.as_of,
        tuple(e for e in catalogue.entries if counts(e)),
        tuple(e for e in catalogue.before if counts(e)),
        catalogue.newest_listing,
    )


# RPO -------------------------------------------------------------------------------------


def _rpo(catalogue: Catalogue, tenant: Tenant, rpo_minutes: int) -> Requirement:
    backups = [e for e in catalogue.entries if e.record_type == BACKUP]
    anchors = {e.database: e for e in catalogue.before if e.record_type == BACKUP}
    production = tenant.environments.get(EnvironmentKind.PRODUCTION)
    databases = sorted(
        {*(production.databases if production else ()), *(e.database for e in backups)} - {None},
        key=str,
    ) or [None]
    worst: tuple[dt.timedelta, Evidence, Evidence, str | None] | None = None
    covered_from: dt.datetime | None = None
    for database in databases:
        good = [e for e in backups if e.good and e.database == database]
        anchor = anchors.get(database)
        if anchor is not None:
            points = [_evidence(anchor)]
        elif good:  # the records begin with their oldest backup: no gap before it is seen
            points = []
            opening = max(catalogue.start, good[0].finished_at)
            covered_from = opening if covered_from is None else min(covered_from, opening)
        else:
            points = [Evidence("period-start", catalogue.start, database=database)]
        points += [_evidence(e) for e in good]
        points.append(Evidence("as-of", catalogue.as_of, database=database))
        for before, after in itertools.pairwise(points):
            gap = after.finished_at - before.finished_at
            if worst is None or gap > worst[0]:
                worst = (gap, before, after, database)
    assert worst is not None
    gap, before, after, database = worst
    achieved = _minutes(gap)
    failed = [e for e in backups if not e.good]
    good_count = sum(1 for e in backups if e.good)
    detail = (
        f"longest gap {achieved} min on {database or 'the tenant'}: "
        f"{_bound(before)} to {_bound(after)}; {good_count} good backups in the period"
        + (f", {len(failed)} failed" if failed else "")
    )
    if covered_from is not None and covered_from > catalogue.start:
        detail += f"; records begin {covered_from:%Y-%m-%d %H:%M} (older ones expired)"
    return Requirement(
        requirement="rpo",
        required=Decimal(rpo_minutes),
        achieved=achieved,
        unit="minutes",
        status="pass" if achieved <= rpo_minutes else "fail",
        detail=detail,
        evidence=(
            *(_evidence(anchors[d]) for d in databases if d in anchors),
            *(_evidence(e) for e in backups),
            *(b for b in (before, after) if b.kind != BACKUP),
        ),
    )


def _bound(evidence: Evidence) -> str:
    name = evidence.backup_id if evidence.kind == BACKUP else evidence.kind
    return f"{name} ({evidence.finished_at:%Y-%m-%d %H:%M})"


# Restore tests ---------------------------------------------------------------------------


def _newest_test(catalogue: Catalogue) -> BackupEntry | None:
    tests = [
        e
        for e in (*catalogue.before, *catalogue.entries)
        if e.record_type == RESTORE_TEST and e.good
    ]
    return max(tests, key=lambda e: e.finished_at) if tests else None


def _restore_tested(
    catalogue: Catalogue, newest: BackupEntry | None, interval_days: int, ran_by: RanBy
) -> Requirement:
    failed = [e for e in catalogue.entries if e.record_type == RESTORE_TEST and not e.good]
    evidence = tuple(_evidence(e, ran_by) for e in ([newest] if newest else []) + failed)
    if newest is None:
        return Requirement(
            "restore-tested",
            Decimal(interval_days),
            None,
            "days",
            "fail",
            "no successful restore test recorded",
            evidence,
        )
    age = (Decimal((catalogue.as_of - newest.finished_at).total_seconds()) / DAY).quantize(
        HUNDREDTH
    )
    return Requirement(
        "restore-tested",
        Decimal(interval_days),
        age,
        "days",
        "pass" if age <= interval_days else "fail",
        f"last verified restore {newest.finished_at:%Y-%m-%d %H:%M}, {age} days before "
        f"{catalogue.as_of:%Y-%m-%d %H:%M}" + (f"; {len(failed)} failed tests" if failed else ""),
        evidence,
    )


def _rto(newest: BackupEntry | None, rto_minutes: int, ran_by: RanBy) -> Requirement:
    if newest is None:
        return Requirement(
            "rto", Decimal(rto_minutes), None, "minutes", "fail", "no restore test to time", ()
        )
    evidence = (_evidence(newest, ran_by),)
    duration = newest.duration
    if duration is None:
        return Requirement(
            "rto",
            Decimal(rto_minutes),
            None,
            "minutes",
            "fail",
            "the last verified restore was recorded without its duration",
            evidence,
        )
    took = _minutes(duration)
    return Requirement(
        "rto",
        Decimal(rto_minutes),
        took,
        "minutes",
        "pass" if took <= rto_minutes else "fail",
        f"the last verified restore took {took} min",
        evidence,
    )


# Isolation -------------------------------------------------------------------------------


def _isolation(catalogue: Catalogue, tenant_region: str) -> Requirement:
    good = [e for e in catalogue.entries if e.record_type == BACKUP and e.good]
    required = f"a region other than {tenant_region}"
    if not good:
        return Requirement(
            "isolation", required, None, "region", "fail", "no good backup in the period", ()
        )
    together = [e for e in good if not _isolated(e, tenant_region)]
    regions = sorted({e.location_region or "(unknown)" for e in good})
    if together:
        shown = together
        detail = f"{len(together)} of {len(good)} backups kept in the data's region or unknown"
    else:  # the newest backup in each region stands for the others
        newest = {e.location_region: e for e in good}
        shown = [newest[r] for r in sorted(newest, key=str)]
        detail = f"all {len(good)} backups kept apart from the data"
    return Requirement(
        "isolation",
        required,
        ", ".join(regions),
        "region",
        "fail" if together else "pass",
        detail,
        tuple(_evidence(e) for e in shown),
    )


def _isolated(entry: BackupEntry, tenant_region: str) -> bool:
    data_region = entry.data_region or tenant_region
    return entry.location_region is not None and entry.location_region != data_region


# Shared ----------------------------------------------------------------------------------


def _minutes(span: dt.timedelta) -> Decimal:
    return (Decimal(span.total_seconds()) / MINUTE).quantize(HUNDREDTH)


def _evidence(entry: BackupEntry, ran_by: RanBy | None = None) -> Evidence:
    return Evidence(
        kind=entry.record_type,
        finished_at=entry.finished_at,
        backup_id=entry.backup_id,
        database=entry.database,
        tool=entry.tool,
        started_at=entry.started_at,
        status=entry.status,
        location=entry.location,
        location_region=entry.location_region,
        data_region=entry.data_region,
        evidence_url=entry.evidence_url,
        ran_by=(ran_by or {}).get((entry.tenant or "", entry.finished_at)),
    )
