"""The catalog root: everything `costplane.yaml` declares."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import Field, field_validator

from costplane.catalog.allocation import AllocationRules, ChargebackRules
from costplane.catalog.base import CatalogModel
from costplane.catalog.blueprint import Platform
from costplane.catalog.branding import Branding
from costplane.catalog.budget import Budget
from costplane.catalog.notifications import Notifications
from costplane.catalog.placement import MigrationRules, PlacementRules
from costplane.catalog.price_sheet import PriceSheet
from costplane.catalog.service_class import ServiceClass
from costplane.catalog.tenant import Tenant
from costplane.catalog.types import Currency, Identifier


class LabelKeys(CatalogModel):
    """Label keys on Kubernetes objects (or their namespace) that tie them to the catalog."""

    tenant: str = "costplane.io/tenant"
    environment: str = "costplane.io/environment"
    service_class: str = "costplane.io/service-class"
    cost_centre: str = Field(
        default="costplane.io/cost-centre",
        description="on rendered namespaces: the tenant's cost centre (its id unless set)",
    )
    shared: str = Field(
        default="costplane.io/shared",
        description='on a namespace, "true" marks shared platform services (ingress, monitoring)',
    )


class RedisKeys(CatalogModel):
    """How a Redis key names its tenant: `{tenant}` stands for the tenant id."""

    tenant_key_pattern: str = "{tenant}:*"

    @field_validator("tenant_key_pattern")
    @classmethod
    def _has_placeholder(cls, value: str) -> str:
        if value.count("{tenant}") != 1:
            raise ValueError("the pattern must contain {tenant} exactly once")
        return value


class Catalog(CatalogModel):
    """Service classes, prices, tenants and budgets: the commercial truth, kept in git."""

    version: int = Field(default=1, ge=1, le=1)
    currency: Currency
    labels: LabelKeys = Field(default_factory=LabelKeys)
    redis: RedisKeys = Field(default_factory=RedisKeys)
    service_classes: dict[Identifier, ServiceClass] = Field(min_length=1)
    price_sheet: PriceSheet
    tenants: list[Tenant] = Field(default_factory=list)
    budgets: list[Budget] = Field(default_factory=list)
    allocation: AllocationRules = Field(default_factory=AllocationRules)
    chargeback: ChargebackRules = Field(default_factory=ChargebackRules)
    notifications: Notifications = Field(default_factory=Notifications)
    placement: PlacementRules = Field(default_factory=PlacementRules)
    migration: MigrationRules = Field(default_factory=MigrationRules)
    platform: Platform = Field(
        default_factory=Platform,
        description="conventions rendered tenant environments follow (costplane render)",
    )
    branding: Branding = Field(
        default_factory=Branding,
        description="who statements and board reports come from: name, logo, address",
    )

    def tenant(self, tenant_id: str) -> Tenant | None:
        return next((t for t in self.tenants if t.id == tenant_id), None)

    def monthly_fee(self, tenant: Tenant, day: dt.date) -> Decimal | None:
        """What the tenant pays per month on `day`: its contract's fee, else its class's;
        None when no contract covers that day."""
        contract = tenant.contract_on(day)
        if contract is None:
            return None
        if contract.monthly_fee is not None:
            return contract.monthly_fee
        return self.service_classes[tenant.service_class].monthly_fee
