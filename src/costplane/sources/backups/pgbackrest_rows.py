"""pgBackRest read into `backup_records` rows, one load per stanza, each row tied to a tenant.

The listing comes from a saved `info --output=json` file (taken at the file's
modification time) or from running `pgbackrest info` with a configuration
(taken now). The configuration, when given, also says where each repository is.

A stanza is one PostgreSQL cluster. Which tenant it backs up, first rule that
applies:
1. an explicit `--stanza-tenant STANZA=TENANT[/ENVIRONMENT]`;
2. the stanza's name is a catalog database, namespace or tenant id;
3. the databases in its backups (`database-ref`) that the catalog declares:
   all of one tenant and environment, that one; of several (a shared
   cluster), every one of them, each row without a size, plus one row with
   no tenant that carries the backup's size, because the bytes of a shared
   cluster's backup are not any one tenant's;
4. none: one row without a tenant, reported as unmapped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from costplane.errors import CostplaneError, InputError, ServiceUnavailableError
from costplane.parse_bounds import json_depth_within, too_deep
from costplane.retries import READ_TIMEOUT_SECONDS
from costplane.sources.backups.pgbackrest import (
    READABLE_STATUS,
    PgBackRestBackup,
    Stanza,
    newest,
    parse_info,
)
from costplane.sources.backups.pgbackrest_repo import Repositories, read_repositories, run_info
from costplane.sources.backups.records import BACKUP, BackupRecord, records_table
from costplane.sources.backups.system import SystemRead
from costplane.sources.backups.tenancy import UNMAPPED, Placement, TenantIndex
from costplane.warehouse import Load

TOOL = "pgbackrest"


@dataclasses.dataclass(frozen=True)
class PgBackRestSource:
    info_file: Path | None = None
    config: Path | None = None
    stanza_tenants: Mapping[str, Placement] = dataclasses.field(default_factory=dict)
    timeout: float = READ_TIMEOUT_SECONDS

    @property
    def target(self) -> str:
        if self.info_file is not None:
            return f"pgbackrest info file {self.info_file}"
        return f"pgbackrest --config={self.config}"


def read_pgbackrest(source: PgBackRestSource, tenants: TenantIndex, now: dt.datetime) -> SystemRead:
    """Every stanza's backups as rows; a stanza that cannot be read is reported, not loaded."""
    repositories = read_repositories(source.config) if source.config else Repositories()
    stanzas, taken_at = _listing(source, now)
    missing = [f"pgbackrest stanza {s.name}: {problem}" for s in stanzas for problem in s.problems]
    readable = [s for s in stanzas if s.status_code in READABLE_STATUS or s.backups]
    if stanzas and not readable:
        raise ServiceUnavailableError(f"{source.target}: " + "; ".join(missing))
    if not stanzas:
        missing.append(f"{source.target}: the repository holds no stanza")
    loads, records, details = [], [], []
    for stanza in readable:
        stanza, problem = _with_databases(stanza, source, tenants)
        missing += [problem] if problem else []
        placements = stanza_placements(stanza, tenants, source.stanza_tenants)
        rows = stanza_records(stanza, placements, repositories, tenants, taken_at)
        loads.append(
            Load("backup_records", TOOL, stanza.name, taken_at, taken_at, records_table(rows))
        )
        records += rows
        details.append(_stanza_details(stanza, placements))
    return SystemRead(TOOL, source.target, loads, records, missing, {"stanzas": details})


def _listing(source: PgBackRestSource, now: dt.datetime) -> tuple[list[Stanza], dt.datetime]:
    if source.info_file is not None:
        path = source.info_file
        try:
            document: Any = json.loads(path.read_text(encoding="utf-8"))
            modified = path.stat().st_mtime
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise InputError(f"{path}: not a pgBackRest info JSON file ({exc})") from None
        if not json_depth_within(document):
            raise InputError(f"{path}: not a pgBackRest info JSON file ({too_deep(1, 1)})")
        taken_at = dt.datetime.fromtimestamp(int(modified), dt.UTC).replace(tzinfo=None)
        return parse_info(document, str(path)), taken_at
    assert source.config is not None, "a pgBackRest source has a file or a configuration"
    document = run_info(source.config, timeout=source.timeout)
    return parse_info(document, source.target), now


def _with_databases(
    stanza: Stanza, source: PgBackRestSource, tenants: TenantIndex
) -> tuple[Stanza, str | None]:
    """The stanza with its newest backup's databases read (`info --set`), when they decide
    its tenant and a configuration lets us ask; else unchanged."""
    last = newest(stanza.backups)
    named = stanza.name in source.stanza_tenants or tenants.for_name(stanza.name) is not None
    if named or last is None or stanza.databases or source.info_file or source.config is None:
        return stanza, None
    try:
        document = run_info(
            source.config, stanza=stanza.name, backup_set=last.label, timeout=source.timeout
        )
        detailed = parse_info(document, f"{source.target} --set={last.label}")
    except CostplaneError as error:
        return stanza, f"pgbackrest stanza {stanza.name} databases: {error}"
    found = [b for s in detailed for b in s.backups if b.label == last.label]
    if not found:
        return stanza, None
    backups = tuple(found[0] if b.label == last.label else b for b in stanza.backups)
    return dataclasses.replace(stanza, backups=backups), None


def _stanza_details(stanza: Stanza, placements: list[tuple[Placement, bool]]) -> dict[str, Any]:
    last = newest(stanza.backups)
    return {
        "stanza": stanza.name,
        "status": stanza.status_message,
        "tenants": sorted({p.tenant for p, _ in placements if p.tenant}),
        "backups": len(stanza.backups),
        "newest_backup": last.label if last else None,
        "archive_min": stanza.archive_min,
        "archive_max": stanza.archive_max,
        "postgres_version": stanza.postgres_version,
    }


def stanza_placements(
    stanza: Stanza, tenants: TenantIndex, explicit: Mapping[str, Placement]
) -> list[tuple[Placement, bool]]:
    """Where the stanza's backups belong, each with whether its row carries the size."""
    chosen = explicit.get(stanza.name) or tenants.for_name(stanza.name)
    if chosen is not None:
        return [(chosen, True)]
    found = sorted({p for name in stanza.databases if (p := tenants.databases.get(name))})
    if len({(p.tenant, p.environment) for p in found}) == 1:
        database = found[0].database if len(found) == 1 else None
        return [(Placement(found[0].tenant, found[0].environment, database), True)]
    if found:
        return [(UNMAPPED, True), *((p, False) for p in found)]
    return [(UNMAPPED, True)]


def stanza_records(
    stanza: Stanza,
    placements: Iterable[tuple[Placement, bool]],
    repositories: Repositories,
    tenants: TenantIndex,
    taken_at: dt.datetime,
) -> list[BackupRecord]:
    """One row per listed backup and placement."""
    placements = list(placements)
    return [
        _record(stanza, backup, placement, carries_size, repositories, tenants, taken_at)
        for backup in stanza.backups
        for placement, carries_size in placements
    ]


def _record(
    stanza: Stanza,
    backup: PgBackRestBackup,
    placement: Placement,
    carries_size: bool,
    repositories: Repositories,
    tenants: TenantIndex,
    taken_at: dt.datetime,
) -> BackupRecord:
    return BackupRecord(
        taken_at=taken_at,
        record_type=BACKUP,
        tool=TOOL,
        backup_id=backup.label,
        tenant=placement.tenant,
        environment=placement.environment,
        database=placement.database,
        backup_type=backup.type,
        started_at=backup.started_at,
        finished_at=backup.finished_at,
        size_bytes=backup.repository_delta_bytes if carries_size else None,
        location=repositories.location(stanza.name, backup.repo_key, backup.label),
        location_region=repositories.region(stanza.name, backup.repo_key),
        data_region=tenants.region(placement.tenant),
        status="error" if backup.checksum_error else "ok",
    )
