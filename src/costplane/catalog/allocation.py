"""How cost reaches tenants: drivers, shared-cost rules, idle, overhead and chargeback.

Every key has a default that fits an Odoo platform on Kubernetes, so a catalog
without an `allocation` section allocates sensibly; declaring one makes the
choice explicit and reviewable.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal
from typing import Literal

from pydantic import Field, model_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.budget import CostDomain
from costplane.catalog.types import Identifier, Money


class SharedRule(enum.StrEnum):
    """How a shared amount is spread over tenants on a day."""

    WEIGHTED = "weighted"
    """In proportion to each tenant's direct cost that day."""
    EVEN = "even"
    """Equally over the tenants that had any direct cost that day."""


class Drivers(CatalogModel):
    """What splits each service outside the cluster among tenants; `even` splits equally."""

    database: Literal["size", "even"] = Field(
        default="size", description="managed PostgreSQL: by database size"
    )
    cache: Literal["memory", "even"] = Field(
        default="memory", description="managed Redis: by memory of each tenant's key space"
    )
    ingress: Literal["requests", "even"] = Field(
        default="requests", description="Traefik and its load balancer: by requests per router"
    )
    object_storage: Literal["bytes", "even"] = Field(
        default="bytes", description="attachment buckets: by bytes stored under each tenant prefix"
    )
    observability: Literal["log-bytes", "even"] = Field(
        default="log-bytes", description="logging: by log bytes ingested per namespace"
    )
    backup: Literal["backup-bytes", "even"] = Field(
        default="backup-bytes", description="backup storage: by backup bytes per tenant"
    )
    egress: Literal["bytes", "even"] = Field(
        default="bytes", description="egress: by bytes sent per namespace"
    )


def _platform_defaults() -> dict[CostDomain, list[str]]:
    return {CostDomain.INGRESS: ["traefik"], CostDomain.OBSERVABILITY: ["logging"]}


class Overhead(CatalogModel):
    """A fixed cost no bill shows (people, licences), spread over tenants by a rule."""

    id: Identifier
    description: str = ""
    monthly_amount: Money
    cost_domain: CostDomain | None = Field(
        default=None, description="the domain it is reported under; none: its own 'overhead' line"
    )
    rule: SharedRule = SharedRule.WEIGHTED
    start: dt.date | None = None
    end: dt.date | None = Field(default=None, description="exclusive")

    @model_validator(mode="after")
    def _ordered(self) -> Overhead:
        if self.start and self.end and self.end <= self.start:
            raise ValueError(f"overhead ends ({self.end}) on or before it starts ({self.start})")
        return self


class AllocationRules(CatalogModel):
    """The declared rules of the cost model (docs/allocation.md)."""

    shared_rule: SharedRule = Field(
        default=SharedRule.WEIGHTED, description="how shared platform cost reaches tenants"
    )
    shared_namespaces: list[str] = Field(
        default_factory=list,
        description="namespaces shared besides those labelled costplane.io/shared=true",
    )
    platform_namespaces: dict[CostDomain, list[str]] = Field(
        default_factory=_platform_defaults,
        description="shared namespaces that serve one domain; their cost follows its driver",
    )
    drivers: Drivers = Field(default_factory=Drivers)
    share_idle: bool = Field(
        default=False, description="spread idle capacity over tenants (by the shared rule)"
    )
    overhead: list[Overhead] = Field(default_factory=list)


class ChargebackRules(CatalogModel):
    """What turns allocated cost into what a tenant is charged."""

    markup_percent: Decimal = Field(default=Decimal(0), ge=0, le=1000, decimal_places=4)
    minimum_monthly: Money = Field(
        default=Decimal(0),
        description="a tenant is charged at least this per month, prorated by contract days",
    )
    rounding: Decimal = Field(
        default=Decimal("0.01"), gt=0, description="each statement line is rounded to this step"
    )
    include_shared: bool = Field(default=True, description="charge distributed shared cost")
    include_idle: bool = Field(default=False, description="charge idle cost spread to tenants")
