"""What to generate (`FleetSpec`) and what was generated (`FleetSummary`).

The window is whole UTC days: from `start` 00:00 to `start + days` 00:00. Every
"at the end" in the fleet means that second; nothing reads the wall clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from costplane.errors import InputError

GENERATOR_VERSION = "1.3"
"""Bumped whenever the same arguments would produce different files."""

MAX_TENANTS = 50_000
MAX_DAYS = 400


@dataclass(frozen=True)
class FleetSpec:
    """The four arguments that fully determine a fleet, and the opt-in extras."""

    tenants: int
    days: int
    seed: int
    start: dt.date
    anomalies: bool = False
    """Plant cost anomalies (spikes, steps, drifts) and write `anomalies.json`: off by
    default so no existing fleet changes (costplane_fleet.anomalies)."""

    def __post_init__(self) -> None:
        if not 1 <= self.tenants <= MAX_TENANTS:
            raise InputError(f"tenants must be between 1 and {MAX_TENANTS}, got {self.tenants}")
        if not 1 <= self.days <= MAX_DAYS:
            raise InputError(f"days must be between 1 and {MAX_DAYS}, got {self.days}")
        if self.seed < 0:
            raise InputError(f"seed must be >= 0, got {self.seed}")
        if isinstance(self.start, dt.datetime) or not isinstance(self.start, dt.date):
            raise InputError(f"start must be a date, got {self.start!r}")

    @property
    def start_at(self) -> dt.datetime:
        """Window start, naive UTC."""
        return dt.datetime.combine(self.start, dt.time())

    @property
    def end_at(self) -> dt.datetime:
        """Window end (exclusive), naive UTC: the instant inventories are taken."""
        return self.start_at + dt.timedelta(days=self.days)

    @property
    def hours(self) -> int:
        return self.days * 24

    @property
    def start_epoch(self) -> int:
        return int(self.start_at.replace(tzinfo=dt.UTC).timestamp())

    def day(self, index: int) -> dt.date:
        return self.start + dt.timedelta(days=index)


@dataclass(frozen=True)
class FleetSummary:
    """What `generate_fleet` wrote: counts, the sha256 of every file that is ingested, and the
    size of the others (`prometheus/usage.om`)."""

    out: Path
    spec: FleetSpec
    clusters: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    """Relative path -> sha256, as `fleet.json` lists them under `files`."""
    unhashed: dict[str, int] = field(default_factory=dict)
    """Relative path -> size in bytes of the files `fleet.json` lists under `unhashed`."""

    @property
    def usage_rows(self) -> int:
        return self.counts.get("usage_samples", 0)

    @property
    def openmetrics_bytes(self) -> int:
        return self.counts.get("openmetrics_bytes", 0)
