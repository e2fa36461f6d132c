"""A generated fleet directory as warehouse loads (`costplane ingest fleet DIR`).

The fleet generator writes what the real sources give (see docs/fleet.md);
this reads it back: Kubernetes lists become inventory snapshots, the FOCUS
bill becomes billing lines (one load per billing account and period), and the
Parquet files already shaped like their tables are streamed as they are.
Every file is checked against the sha256 that `fleet.json` records, so a
truncated or edited copy is refused before anything is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costplane.catalog import LabelKeys
from costplane.errors import InputError
from costplane.parse_bounds import read_json
from costplane.sources.focus import read_focus_parquet
from costplane.sources.inventory import inventory_loads
from costplane.sources.manifests import manifest_files, read_objects
from costplane.warehouse import Load

SOURCE = "fleet"
SCOPE = "synthetic"

SERIES_FILES = {
    "usage/usage_samples.parquet": "usage_samples",
    "usage/service_usage.parquet": "service_usage",
    "business/business_signals.parquet": "business_signals",
}
"""Files whose rows cover the window, [start, end)."""

DAILY_SNAPSHOT_FILES = {
    "postgres/database_stats.parquet": "database_stats",
    "redis/cache_stats.parquet": "cache_stats",
}
"""Files with one snapshot at 00:00 after each generated day: (start, end], i.e.
the instants in [start + 1 day, end + 1 day)."""

END_SNAPSHOT_FILES = {"backups/backup_records.parquet": "backup_records"}
"""Files listed once, at the end of the window."""

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class FleetManifest:
    start: dt.datetime
    end: dt.datetime
    clusters: tuple[str, ...]
    files: dict[str, str]


def read_manifest(directory: Path) -> FleetManifest:
    path = directory / "fleet.json"
    if not path.is_file():
        raise InputError(f"{directory}: not a fleet directory (no fleet.json)")
    document: dict[str, Any] = read_json(path.read_text(), path)
    try:
        start = _naive_utc(document["window"]["start"])
        end = _naive_utc(document["window"]["end"])
        return FleetManifest(start, end, tuple(document["clusters"]), dict(document["files"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{path}: not a fleet manifest ({exc})") from exc


def _naive_utc(text: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text)
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def verify_files(directory: Path, manifest: FleetManifest, names: list[str]) -> None:
    """Refuse a fleet whose files differ from what the generator recorded."""
    for name in names:
        expected = manifest.files.get(name)
        path = directory / name
        if expected is None or not path.is_file():
            raise InputError(f"{path}: missing from the fleet (fleet.json lists its files)")
        if _sha256(path) != expected:
            raise InputError(f"{path}: content differs from fleet.json (truncated or edited?)")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fleet_loads(directory: Path, labels: LabelKeys) -> list[Load]:
    """Every load a fleet directory holds, checked against its manifest."""
    manifest = read_manifest(directory)
    bills = sorted(n for n in manifest.files if n.startswith("billing/") and n.endswith(".parquet"))
    kubernetes = sorted(n for n in manifest.files if n.startswith("kubernetes/"))
    files = [*SERIES_FILES, *DAILY_SNAPSHOT_FILES, *END_SNAPSHOT_FILES, *bills, *kubernetes]
    verify_files(directory, manifest, files)
    start, end = manifest.start, manifest.end
    loads = [
        Load(table, SOURCE, SCOPE, start, end, directory / name)
        for name, table in SERIES_FILES.items()
    ]
    loads += [
        Load(table, SOURCE, SCOPE, start + DAY, end + DAY, directory / name)
        for name, table in DAILY_SNAPSHOT_FILES.items()
    ]
    loads += [
        Load(table, SOURCE, SCOPE, end, end, directory / name)
        for name, table in END_SNAPSHOT_FILES.items()
    ]
    for cluster in manifest.clusters:
        loads += _inventory_loads(directory, cluster, manifest.end, labels)
    for bill in bills:
        loads += [
            Load("billing_lines", "focus", p.account, p.start, p.end, p.rows, str(directory / bill))
            for p in read_focus_parquet(directory / bill)
        ]
    return loads


def _inventory_loads(
    directory: Path, cluster: str, taken_at: dt.datetime, labels: LabelKeys
) -> tuple[Load, Load]:
    files = manifest_files(directory / "kubernetes" / cluster)
    objects = [obj for path in files for obj in read_objects(path)]
    return inventory_loads(
        objects, source=SOURCE, cluster=cluster, taken_at=taken_at, labels=labels
    )
