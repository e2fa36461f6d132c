"""What reading one backup system gave: its rows, loads, what it missed, its summary part."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from costplane.sources.backups.records import BackupRecord
from costplane.warehouse import Load


@dataclass(frozen=True)
class SystemRead:
    system: str
    """"pgbackrest", "velero" or "s3": the `tool` of its rows."""
    target: str
    """What was read, masked: a file, a config, a bucket at an endpoint, clusters."""
    loads: list[Load]
    records: list[BackupRecord]
    missing: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
