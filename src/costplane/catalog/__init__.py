"""The catalog: service classes, price sheet, tenants, contracts and budgets (`costplane.yaml`)."""

from costplane.catalog.allocation import (
    AllocationRules,
    ChargebackRules,
    Drivers,
    Overhead,
    SharedRule,
)
from costplane.catalog.blueprint import OdooSizing
from costplane.catalog.branding import Branding, logo_bytes
from costplane.catalog.budget import Budget, BudgetScope, CostDomain
from costplane.catalog.catalog import Catalog, LabelKeys, RedisKeys
from costplane.catalog.load import catalog_schema, load_catalog, locate_problems, parse_catalog
from costplane.catalog.notifications import (
    Channel,
    EmailSettings,
    EventKind,
    NotificationRoute,
    Notifications,
    Severity,
)
from costplane.catalog.placement import (
    Compliance,
    MigrationRules,
    PlacementRules,
    PlacementWeights,
)
from costplane.catalog.price_sheet import (
    HOURS_PER_MONTH,
    TERM_MONTHS,
    CommitmentOffer,
    Price,
    PriceSheet,
)
from costplane.catalog.service_class import (
    WEEKDAYS,
    EnvironmentKind,
    ServiceClass,
    SleepSchedule,
    Tenancy,
)
from costplane.catalog.tenant import Contract, Environment, Tenant
from costplane.catalog.types import Identifier

__all__ = [
    "HOURS_PER_MONTH",
    "TERM_MONTHS",
    "WEEKDAYS",
    "AllocationRules",
    "Branding",
    "Budget",
    "BudgetScope",
    "Catalog",
    "Channel",
    "ChargebackRules",
    "CommitmentOffer",
    "Compliance",
    "Contract",
    "CostDomain",
    "Drivers",
    "EmailSettings",
    "Environment",
    "EnvironmentKind",
    "EventKind",
    "Identifier",
    "LabelKeys",
    "MigrationRules",
    "NotificationRoute",
    "Notifications",
    "OdooSizing",
    "Overhead",
    "PlacementRules",
    "PlacementWeights",
    "Price",
    "PriceSheet",
    "RedisKeys",
    "ServiceClass",
    "Severity",
    "SharedRule",
    "SleepSchedule",
    "Tenancy",
    "Tenant",
    "catalog_schema",
    "load_catalog",
    "locate_problems",
    "logo_bytes",
    "parse_catalog",
]
