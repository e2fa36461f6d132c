"""Service classes: what a contract entitles a tenant to.

A class maps a commercial tier to infrastructure entitlements: tenancy,
quota per environment kind, database sizing band, retention, recovery
objectives, HA level, the non-production sleep schedule, support and fee.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.blueprint import ClassBlueprint
from costplane.catalog.types import CpuCores, MemoryBytes, Money


class EnvironmentKind(enum.StrEnum):
    PRODUCTION = "production"
    STAGING = "staging"
    DEVELOPMENT = "development"
    DR = "dr"

    @property
    def is_production(self) -> bool:
        return self is EnvironmentKind.PRODUCTION


class Tenancy(enum.StrEnum):
    SHARED = "shared"
    DEDICATED = "dedicated"


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Quota(CatalogModel):
    """CPU and memory an environment of this kind may request in total."""

    cpu: CpuCores = Field(description="cores, as a Kubernetes quantity (500m, 4)")
    memory: MemoryBytes = Field(description="bytes, as a Kubernetes quantity (8Gi)")


class DatabaseBand(CatalogModel):
    """The database size the class is sized and priced for, in GiB."""

    min_gib: int = Field(ge=0)
    max_gib: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> DatabaseBand:
        if self.min_gib > self.max_gib:
            raise ValueError(f"min_gib {self.min_gib} is above max_gib {self.max_gib}")
        return self


class BackupObjectives(CatalogModel):
    """Recovery objectives and how often a restore must be proven."""

    rpo_minutes: int = Field(gt=0, description="most data, in minutes, a restore may lose")
    rto_minutes: int = Field(gt=0, description="longest a restore may take, in minutes")
    restore_test_interval_days: int = Field(
        gt=0, description="a verified restore at least this often"
    )


LOCAL_TIME: dict[str, Any] = {
    "format": "partial-time",
    "description": "A local time of day in `time_zone`, HH:MM:SS, without an offset",
}
"""A wall-clock time: JSON Schema's `time` format is RFC 3339's, which needs an offset."""


class SleepSchedule(CatalogModel):
    """When non-production environments sleep (kube-green's semantics).

    On each listed weekday the environment goes to sleep at `sleep_at` and wakes
    at `wake_at` on the next listed weekday, in `time_zone`: with Monday to
    Friday, it sleeps from Friday evening to Monday morning.
    """

    weekdays: list[Weekday] = Field(min_length=1)
    sleep_at: dt.time = Field(json_schema_extra=LOCAL_TIME)
    wake_at: dt.time = Field(json_schema_extra=LOCAL_TIME)
    time_zone: str = Field(description="IANA time zone, e.g. Europe/Berlin")

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("weekdays")
    @classmethod
    def _no_repeats(cls, value: list[Weekday]) -> list[Weekday]:
        if len(set(value)) != len(value):
            raise ValueError("a weekday is listed twice")
        return sorted(value, key=WEEKDAYS.index)

    @model_validator(mode="after")
    def _distinct_times(self) -> SleepSchedule:
        if self.sleep_at == self.wake_at:
            raise ValueError("sleep_at and wake_at are the same time")
        return self


class ServiceClass(CatalogModel):
    """One commercial tier and the entitlements it buys."""

    description: str = ""
    tenancy: Tenancy
    quota: dict[EnvironmentKind, Quota] = Field(
        min_length=1, description="per environment kind: production, staging, development, dr"
    )
    database_band_gib: DatabaseBand
    snapshot_retention_days: int = Field(gt=0)
    log_retention_days: int = Field(gt=0)
    backup: BackupObjectives
    ha_replicas: int = Field(ge=1, description="replicas of each production workload")
    sleep_schedule: SleepSchedule | None = Field(
        default=None, description="non-production sleep; none means always awake"
    )
    support_level: str = Field(min_length=1)
    monthly_fee: Money
    blueprint: ClassBlueprint = Field(
        default_factory=ClassBlueprint,
        description="how the class renders (costplane render tenant); defaults throughout",
    )
