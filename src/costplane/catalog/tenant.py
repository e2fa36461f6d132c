"""Tenants: the customers, their contracts and their environments."""

from __future__ import annotations

import datetime as dt

from pydantic import Field, model_validator

from costplane.catalog.base import CatalogModel
from costplane.catalog.placement import Compliance
from costplane.catalog.service_class import EnvironmentKind
from costplane.catalog.types import Currency, Identifier, Money


class Contract(CatalogModel):
    """A period during which the tenant pays a fee; `end` is exclusive, none means open."""

    start: dt.date
    end: dt.date | None = None
    monthly_fee: Money | None = Field(
        default=None, description="overrides the service class fee when set"
    )
    currency: Currency | None = Field(default=None, description="defaults to the catalog's")

    @model_validator(mode="after")
    def _ordered(self) -> Contract:
        if self.end is not None and self.end <= self.start:
            raise ValueError(f"contract ends ({self.end}) on or before it starts ({self.start})")
        return self

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


class Environment(CatalogModel):
    """Where one environment of a tenant lives: its namespaces and databases."""

    namespaces: list[Identifier] = Field(
        min_length=1, description="Kubernetes namespaces (DNS labels), e.g. acme-prod"
    )
    databases: list[str] = Field(default_factory=list)


class Tenant(CatalogModel):
    """A customer of the platform."""

    id: Identifier
    name: str = Field(min_length=1)
    service_class: Identifier
    region: str = Field(min_length=1, description="data-residency region")
    custom_modules: int = Field(default=0, ge=0, description="custom Odoo modules installed")
    integrations: list[str] = Field(default_factory=list)
    compliance: Compliance = Field(
        default_factory=Compliance, description="regulated sector and data residency"
    )
    cost_centre: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$",
        description="finance's cost centre, labelled on rendered namespaces (default: the id)",
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="free key: value labels (team, segment, ...) budgets can be scoped by",
    )
    contracts: list[Contract] = Field(min_length=1)
    environments: dict[EnvironmentKind, Environment] = Field(min_length=1)

    def contract_on(self, day: dt.date) -> Contract | None:
        return next((c for c in self.contracts if c.covers(day)), None)
