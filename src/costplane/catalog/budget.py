"""Budgets: a monthly amount for a scope, with alert thresholds."""

from __future__ import annotations

import enum
from decimal import Decimal

from pydantic import Field, field_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.service_class import EnvironmentKind
from costplane.catalog.types import Identifier, Money, Percent


class CostDomain(enum.StrEnum):
    """Where money goes; every allocated amount belongs to exactly one."""

    COMPUTE = "compute"
    DATABASE = "database"
    STORAGE = "storage"
    CACHE = "cache"
    INGRESS = "ingress"
    OBSERVABILITY = "observability"
    BACKUP = "backup"


class BudgetScope(CatalogModel):
    """Any combination of these narrows the budget; none means the whole platform."""

    tenant: Identifier | None = None
    environment: EnvironmentKind | None = None
    service_class: Identifier | None = None
    cost_domain: CostDomain | None = None
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="only tenants whose catalog `labels` hold every one of these key: value",
    )


class Budget(CatalogModel):
    id: Identifier
    scope: BudgetScope = Field(default_factory=BudgetScope)
    monthly_amount: Money
    thresholds_percent: list[Percent] = Field(
        default_factory=lambda: [Decimal(50), Decimal(80), Decimal(100)]
    )

    @field_validator("thresholds_percent")
    @classmethod
    def _ascending(cls, value: list[Percent]) -> list[Percent]:
        if sorted(set(value)) != value:
            raise ValueError("thresholds must be distinct and in ascending order")
        return value
