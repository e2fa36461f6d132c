"""Placement and migration settings: how tenants are scored for the shared platform or a
dedicated environment, and how a move is cut into waves.

Every key has a default, so a catalog without these sections places and plans as
docs/placement.md describes. Weights are relative: they are divided by their sum.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.types import Identifier, Money


class Compliance(CatalogModel):
    """What the tenant's regulator or contract demands of where and how its data lives."""

    regulated_sector: str | None = Field(
        default=None,
        description="the regulated activity, e.g. pharmaceutical wholesale (EU GDP); "
        "none: not regulated",
    )
    residency_required: bool = Field(
        default=False, description="its data must stay in its region by contract or law"
    )


class PlacementWeights(CatalogModel):
    """How much each criterion counts in the placement score (relative; divided by their sum)."""

    custom_modules: Decimal = Field(default=Decimal("0.25"), ge=0)
    isolation: Decimal = Field(default=Decimal("0.25"), ge=0)
    compliance: Decimal = Field(default=Decimal("0.20"), ge=0)
    integration: Decimal = Field(default=Decimal("0.15"), ge=0)
    margin: Decimal = Field(default=Decimal("0.15"), ge=0)

    @model_validator(mode="after")
    def _some_weight(self) -> PlacementWeights:
        if sum(self.model_dump().values()) <= 0:
            raise ValueError("at least one weight must be above zero")
        return self


class PlacementRules(CatalogModel):
    """Where each criterion's score reaches 1 (full), the weights, and the classes compared."""

    weights: PlacementWeights = Field(default_factory=PlacementWeights)
    dedicated_at: Decimal = Field(
        default=Decimal("0.5"), gt=0, le=1, description="score from which dedicated is recommended"
    )
    custom_modules_full: int = Field(
        default=10, gt=0, description="custom modules at which that criterion scores 1"
    )
    peak_share_full: Decimal = Field(
        default=Decimal("0.10"),
        gt=0,
        le=1,
        description="share of its cluster's use at the cluster's peak hour that scores 1",
    )
    p95_full: Decimal = Field(
        default=Decimal("1.0"),
        gt=0,
        description="p95 production use over the class's production quota that scores 1",
    )
    requests_per_day_full: int = Field(
        default=1_000_000, gt=0, description="ingress requests per day (production) that score 1"
    )
    queue_jobs_per_month_full: int = Field(
        default=100_000, gt=0, description="Odoo queue jobs created per month that score 1"
    )
    integrations_full: int = Field(
        default=4, gt=0, description="integrations declared on the tenant that score 1"
    )
    dedicated_class: Identifier | None = Field(
        default=None,
        description="class a dedicated environment is rendered from; "
        "none: the cheapest dedicated class",
    )
    shared_class: Identifier | None = Field(
        default=None,
        description="class a place on the shared platform is rendered from; "
        "none: the dearest shared class",
    )
    dedicated_overhead_monthly: Money = Field(
        default=Decimal(0),
        description="monthly cost of a dedicated environment beyond its quota and storage "
        "(own PostgreSQL server, Redis, node pool base)",
    )


class MigrationRules(CatalogModel):
    """How a migration is cut into waves: the throughput, the window, the bound per wave."""

    throughput_mib_per_second: Decimal = Field(
        default=Decimal(100), gt=0, description="declared copy throughput, MiB per second"
    )
    window_hours: Decimal = Field(
        default=Decimal(6), gt=0, description="length of one maintenance window, hours"
    )
    wave_max_gib: Decimal | None = Field(
        default=None,
        gt=0,
        description="most data one wave moves, GiB; none: what the throughput moves in a window",
    )
    wave_max_tenants: int = Field(default=10, gt=0, description="most tenants in one wave")
    cutover_overhead_minutes: int = Field(
        default=30, ge=0, description="per tenant: freeze, checks and DNS switch beside the copy"
    )
