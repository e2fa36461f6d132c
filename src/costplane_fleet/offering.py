"""What the provider sells and what its cloud charges: service classes, price sheet, SKUs.

The price sheet is chosen so that every per-hour rate is an exact decimal
(monthly prices are multiples of 730 x 10^-5), which lets the bill agree with
the price sheet to the last digit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from costplane.catalog import EnvironmentKind, PriceSheet, ServiceClass

CURRENCY = "EUR"
PROVIDER = "Nimbus Cloud"
INVOICE_ISSUER = PROVIDER
"""The provider invoices its customers itself: in FOCUS an issuer other than the provider
means a third party collects the payment (a marketplace), and BilledCost must then be 0."""
BILLING_ACCOUNT_ID = "0123456789012"
BILLING_ACCOUNT_NAME = "Odoo Distribution Hosting"
REGION = "eu-central-1"
REGION_NAME = "Europe (Frankfurt)"
BACKUP_REGION = "eu-west-1"
ZONES = ("eu-central-1a", "eu-central-1b", "eu-central-1c")
ATTACHMENT_BUCKET = "odoo-filestore-eu-central-1"
BACKUP_BUCKET = "odoo-backups-eu-west-1"
ODOO_IMAGE = "registry.example.com/odoo:18.0-20250506"

P = EnvironmentKind.PRODUCTION
S = EnvironmentKind.STAGING
D = EnvironmentKind.DEVELOPMENT
R = EnvironmentKind.DR

_WORKDAYS_SLEEP = {
    "weekdays": ["mon", "tue", "wed", "thu", "fri"],
    "sleep_at": "19:00",
    "wake_at": "07:00",
    "time_zone": "Europe/Berlin",
}

SERVICE_CLASSES: dict[str, ServiceClass] = {
    name: ServiceClass.model_validate(body)
    for name, body in {
        "shared-standard": {
            "description": "Shared platform, standard Odoo distribution scope",
            "tenancy": "shared",
            "quota": {
                "production": {"cpu": "2", "memory": "6Gi"},
                "development": {"cpu": "1", "memory": "3Gi"},
            },
            "database_band_gib": {"min_gib": 0, "max_gib": 20},
            "snapshot_retention_days": 7,
            "log_retention_days": 14,
            "backup": {"rpo_minutes": 1440, "rto_minutes": 720, "restore_test_interval_days": 90},
            "ha_replicas": 1,
            "sleep_schedule": _WORKDAYS_SLEEP,
            "support_level": "business-hours",
            "monthly_fee": "390.00",
        },
        "shared-plus": {
            "description": "Shared platform with staging, HA web tier and integrations",
            "tenancy": "shared",
            "quota": {
                "production": {"cpu": "4", "memory": "12Gi"},
                "staging": {"cpu": "2", "memory": "6Gi"},
                "development": {"cpu": "1", "memory": "3Gi"},
            },
            "database_band_gib": {"min_gib": 5, "max_gib": 60},
            "snapshot_retention_days": 14,
            "log_retention_days": 30,
            "backup": {"rpo_minutes": 1440, "rto_minutes": 480, "restore_test_interval_days": 60},
            "ha_replicas": 2,
            "sleep_schedule": _WORKDAYS_SLEEP,
            "support_level": "extended-hours",
            "monthly_fee": "890.00",
        },
        "dedicated": {
            "description": "Dedicated node pool, database and cache",
            "tenancy": "dedicated",
            "quota": {
                "production": {"cpu": "12", "memory": "40Gi"},
                "staging": {"cpu": "4", "memory": "12Gi"},
                "development": {"cpu": "2", "memory": "6Gi"},
            },
            "database_band_gib": {"min_gib": 20, "max_gib": 250},
            "snapshot_retention_days": 30,
            "log_retention_days": 90,
            "backup": {"rpo_minutes": 720, "rto_minutes": 240, "restore_test_interval_days": 30},
            "ha_replicas": 2,
            "sleep_schedule": {**_WORKDAYS_SLEEP, "sleep_at": "20:00", "wake_at": "06:00"},
            "support_level": "24x7",
            "monthly_fee": "3900.00",
        },
        "dedicated-regulated": {
            "description": "Dedicated and isolated, DR environment, validated non-production",
            "tenancy": "dedicated",
            "quota": {
                "production": {"cpu": "16", "memory": "56Gi"},
                "staging": {"cpu": "6", "memory": "20Gi"},
                "development": {"cpu": "2", "memory": "6Gi"},
                "dr": {"cpu": "8", "memory": "28Gi"},
            },
            "database_band_gib": {"min_gib": 40, "max_gib": 400},
            "snapshot_retention_days": 35,
            "log_retention_days": 365,
            "backup": {"rpo_minutes": 240, "rto_minutes": 120, "restore_test_interval_days": 14},
            "ha_replicas": 3,
            "sleep_schedule": None,
            "support_level": "24x7-named-engineer",
            "monthly_fee": "7900.00",
        },
    }.items()
}

CLASS_SHARES = {
    "shared-standard": 0.55,
    "shared-plus": 0.25,
    "dedicated": 0.15,
    "dedicated-regulated": 0.05,
}

PRICE_SHEET = PriceSheet.model_validate(
    {
        "cpu": {"amount": "0.0316", "unit": "core-hour"},
        "memory": {"amount": "0.0042", "unit": "GiB-hour"},
        "storage": {
            "nimbus-ssd": {"amount": "0.0876", "unit": "GiB-month"},
            "nimbus-ssd-premium": {"amount": "0.1752", "unit": "GiB-month"},
            "nimbus-files": {"amount": "0.146", "unit": "GiB-month"},
        },
        "database_storage": {"amount": "0.1168", "unit": "GiB-month"},
        "snapshot": {"amount": "0.0511", "unit": "GiB-month"},
        "object_storage": {"amount": "0.0219", "unit": "GiB-month"},
        "log_ingest": {"amount": "0.50", "unit": "GiB"},
        "log_retention": {"amount": "0.0292", "unit": "GiB-month"},
        "backup": {"amount": "0.01095", "unit": "GiB-month"},
        "load_balancer": {"amount": "0.025", "unit": "hour"},
        "egress": {"amount": "0.08", "unit": "GiB"},
        "commitments": [
            {"term": "1y", "discount": "0.28", "resource_types": ["Virtual Machine"]},
            {"term": "3y", "discount": "0.46", "resource_types": ["Virtual Machine"]},
        ],
    }
)


@dataclass(frozen=True)
class InstanceType:
    """A VM size; its hourly price is exactly vCPU x cpu + GiB x memory of the price sheet."""

    name: str
    vcpu: int
    memory_gib: int

    @property
    def hourly(self) -> Decimal:
        return (
            self.vcpu * PRICE_SHEET.cpu.canonical + self.memory_gib * PRICE_SHEET.memory.canonical
        )


INSTANCE_TYPES = {
    t.name: t
    for t in (
        InstanceType("m7n.xlarge", 4, 16),
        InstanceType("m7n.2xlarge", 8, 32),
        InstanceType("m7n.4xlarge", 16, 64),
        InstanceType("r7n.xlarge", 4, 32),
        InstanceType("r7n.2xlarge", 8, 64),
    )
}


@dataclass(frozen=True)
class ManagedSku:
    """A managed database or cache size with its hourly list price."""

    name: str
    vcpu: int
    memory_gib: int
    hourly: Decimal


POSTGRES_SKUS = {
    s.name: s
    for s in (
        ManagedSku("db.m7n.large", 2, 8, Decimal("0.192")),
        ManagedSku("db.m7n.xlarge", 4, 16, Decimal("0.384")),
        ManagedSku("db.m7n.2xlarge", 8, 32, Decimal("0.768")),
        ManagedSku("db.r7n.2xlarge", 8, 64, Decimal("1.04")),
    )
}
REDIS_SKUS = {
    s.name: s
    for s in (
        ManagedSku("cache.m7n.large", 2, 6, Decimal("0.148")),
        ManagedSku("cache.m7n.xlarge", 4, 12, Decimal("0.296")),
        ManagedSku("cache.r7n.xlarge", 4, 26, Decimal("0.472")),
    )
}

SLEEP_TIMES: dict[str, tuple[dt.time, dt.time]] = {
    name: (sc.sleep_schedule.sleep_at, sc.sleep_schedule.wake_at)
    for name, sc in SERVICE_CLASSES.items()
    if sc.sleep_schedule is not None
}


def sleeps(service_class: str, environment: EnvironmentKind) -> bool:
    """Non-production environments of a class with a schedule sleep; nothing else does."""
    return (
        not environment.is_production and SERVICE_CLASSES[service_class].sleep_schedule is not None
    )
