"""The pgBackRest catalogue as listed at the end of the window, and restore tests (table
backup_records).

Per production database: a full backup every Sunday, a differential every other
day (01:00 UTC), and incrementals where the class's RPO needs them (every 12 h
for `dedicated`, every 4 h for `dedicated-regulated`). Retention keeps two full
backups and what depends on them. Backups go to a bucket in another region
than the data. Restore tests run well within the class's interval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pyarrow as pa

from costplane.catalog import EnvironmentKind
from costplane.warehouse import FACT_TABLES
from costplane_fleet.databases import DatabaseStats
from costplane_fleet.offering import BACKUP_BUCKET, BACKUP_REGION, REGION, SERVICE_CLASSES
from costplane_fleet.planted import Plants, plant_factor
from costplane_fleet.spec import FleetSpec
from costplane_fleet.streams import rng

INCREMENTAL_HOURS = {"dedicated": (13,), "dedicated-regulated": (5, 9, 13, 17, 21)}
THROUGHPUT = 120e6
"""Backup bytes per second."""
RESTORE_TESTS_LISTED = 3


@dataclass(frozen=True)
class BackupSet:
    table: pa.Table
    stored_bytes: dict[str, float]
    """tenant -> bytes kept in the backup bucket at the end."""


def _label(t: dt.datetime, kind: str) -> str:
    return t.strftime("%Y%m%d-%H%M%S") + kind[0].upper()


def generate_backups(db: DatabaseStats, plants: Plants, spec: FleetSpec) -> BackupSet:
    end = spec.end_at
    cols: dict[str, list[object]] = {k: [] for k in FACT_TABLES["backup_records"].schema.names}
    stored: dict[str, float] = {}
    last_size = db.size_bytes[:, -1]
    for j, d in enumerate(db.databases):
        if d.environment is not EnvironmentKind.PRODUCTION:
            continue
        t = d.tenant
        sc = SERVICE_CLASSES[t.service_class]
        r = rng(spec.seed, "backups", t.id)
        size = float(last_size[j])
        failed_since = None
        if plants.has("backup-older-than-rpo", t.id):
            failed_since = end - dt.timedelta(hours=plant_factor(spec, "rpo", t.id, 40, 100))
        # start of the second-to-last full backup week
        last_sunday = (end - dt.timedelta(days=(end.weekday() + 1) % 7 or 7)).replace(hour=0)
        day = (last_sunday - dt.timedelta(days=7)).date()
        full_label = ""
        records = []
        while dt.datetime.combine(day, dt.time()) < end:
            slots = [(1, "full" if day.weekday() == 6 else "diff")]
            slots += [(h, "incr") for h in INCREMENTAL_HOURS.get(t.service_class, ())]
            for hour, kind in slots:
                started = dt.datetime.combine(
                    day, dt.time(hour, int(r.integers(0, 20)), int(r.integers(0, 60)))
                )
                share = {"full": 0.38, "diff": 0.05, "incr": 0.01}[kind]
                nbytes = int(size * share * r.uniform(0.9, 1.1))
                finished = started + dt.timedelta(seconds=int(60 + nbytes / THROUGHPUT))
                if finished > end:
                    continue
                label = _label(started, kind)
                if kind == "full":
                    full_label = label
                backup_id = label if kind == "full" else f"{full_label}_{label}"
                status = "ok" if failed_since is None or started < failed_since else "error"
                records.append((backup_id, kind, started, finished, nbytes, status))
            day += dt.timedelta(days=1)
        for backup_id, kind, started, finished, nbytes, status in records:
            _append(
                cols,
                end,
                "backup",
                t.id,
                d.name,
                backup_id,
                kind,
                started,
                finished,
                nbytes if status == "ok" else 0,
                status,
                None,
            )
            if status == "ok":
                stored[t.id] = stored.get(t.id, 0.0) + nbytes
        interval = sc.backup.restore_test_interval_days
        if plants.has("restore-unverified", t.id):
            last = end - dt.timedelta(days=interval + plant_factor(spec, "restore", t.id, 5, 30))
        else:
            last = end - dt.timedelta(days=float(r.uniform(1, interval * 0.8)))
        last = last.replace(microsecond=0)
        ok = [rec for rec in records if rec[5] == "ok"]
        for k in range(RESTORE_TESTS_LISTED):
            started = last - dt.timedelta(days=(interval - 2) * k)
            finished = started + dt.timedelta(minutes=int(20 + size / 2**30 * 0.8))
            source = ok[0][0] if ok else _label(started - dt.timedelta(days=1), "full")
            _append(
                cols,
                end,
                "restore-test",
                t.id,
                d.name,
                source,
                None,
                started,
                finished,
                None,
                "ok",
                f"https://evidence.example.net/restore-tests/{t.id}/{started:%Y%m%dT%H%M%S}.json",
            )
    schema = FACT_TABLES["backup_records"].schema.to_pyarrow()
    table = pa.table({k: pa.array(v, schema.field(k).type) for k, v in cols.items()}, schema=schema)
    return BackupSet(table, stored)


def _append(
    cols: dict[str, list[object]],
    end: dt.datetime,
    record_type: str,
    tenant: str,
    database: str,
    backup_id: str,
    kind: str | None,
    started: dt.datetime,
    finished: dt.datetime,
    nbytes: int | None,
    status: str,
    evidence: str | None,
) -> None:
    values = {
        "taken_at": end,
        "record_type": record_type,
        "tool": "pgbackrest",
        "backup_id": backup_id,
        "tenant": tenant,
        "environment": "production",
        "database": database,
        "backup_type": kind,
        "started_at": started,
        "finished_at": finished,
        "size_bytes": nbytes,
        "location": f"s3://{BACKUP_BUCKET}/{tenant}/{database}/backup/{backup_id}",
        "location_region": BACKUP_REGION,
        "data_region": REGION,
        "status": status,
        "evidence_url": evidence,
    }
    for k, v in values.items():
        cols[k].append(v)
