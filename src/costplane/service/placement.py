"""Tenant placement and migration waves: `recommend placement` and `plan migration`.

Each operation opens the warehouse read-only, picks the month (the one asked for, else
the newest allocated), and hands the stage (`costplane.insight.placement`) the catalog;
the rules are the stage's (docs/placement.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pydantic import ValidationError

from costplane.allocation import Window
from costplane.catalog import MigrationRules
from costplane.errors import InputError
from costplane.insight.placement import (
    MigrationPlan,
    Placement,
    newest_allocated_month,
    place_tenants,
    plan_waves,
)
from costplane.service.project import Project
from costplane.warehouse import Warehouse


@dataclass(frozen=True)
class PlacementRequest:
    period: str | None = None
    """YYYY-MM; None: the newest allocated month."""


@dataclass(frozen=True)
class MigrationRequest:
    """Where to, which tenants (none: those the placement sends there), and the catalog's
    `migration` settings each flag overrides."""

    to: str
    tenants: tuple[str, ...] = ()
    period: str | None = None
    throughput_mib_per_second: Decimal | None = None
    window_hours: Decimal | None = None
    wave_max_gib: Decimal | None = None
    wave_max_tenants: int | None = None


def recommend_placement(project: Project, request: PlacementRequest) -> Placement:
    """Every tenant of the month, shared or dedicated, with its reasons and money."""
    catalog = project.catalog()
    with project.warehouse(create=False) as warehouse:
        return place_tenants(warehouse, catalog, _month(warehouse, request.period))


def plan_migration(project: Project, request: MigrationRequest) -> MigrationPlan:
    """The tenants grouped in waves to move to a class or cluster."""
    catalog = project.catalog()
    rules = _rules(catalog.migration, request)
    with project.warehouse(create=False) as warehouse:
        window = _month(warehouse, request.period)
        return plan_waves(warehouse, catalog, window, request.to, request.tenants, rules)


def _month(warehouse: Warehouse, period: str | None) -> Window:
    return newest_allocated_month(warehouse) if period is None else Window.month(period)


FLAGS = {
    "throughput_mib_per_second": "--throughput",
    "window_hours": "--window-hours",
    "wave_max_gib": "--wave-max-gib",
    "wave_max_tenants": "--wave-max-tenants",
}


def _rules(declared: MigrationRules, request: MigrationRequest) -> MigrationRules:
    given = {name: getattr(request, name) for name in FLAGS if getattr(request, name) is not None}
    try:
        return MigrationRules.model_validate({**declared.model_dump(), **given})
    except ValidationError as error:
        first = error.errors()[0]
        flag = FLAGS.get(str(first["loc"][0]), str(first["loc"][0]))
        raise InputError(f"{flag}: {first['msg']}") from None
