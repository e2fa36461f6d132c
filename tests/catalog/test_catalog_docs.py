"""docs/catalog.md covers every key the catalog accepts, and its example is valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from costplane.catalog import (
    AllocationRules,
    Branding,
    Budget,
    BudgetScope,
    Catalog,
    ChargebackRules,
    Compliance,
    Contract,
    CostDomain,
    Drivers,
    Environment,
    EnvironmentKind,
    LabelKeys,
    MigrationRules,
    Overhead,
    PlacementRules,
    PlacementWeights,
    Price,
    PriceSheet,
    RedisKeys,
    ServiceClass,
    SleepSchedule,
    Tenancy,
    Tenant,
    parse_catalog,
)
from costplane.catalog.blueprint import (
    Autoscaling,
    BackupConventions,
    CacheConventions,
    ClassBlueprint,
    DatabaseConventions,
    DedicatedCache,
    Filestore,
    IngressConventions,
    ObjectStorageConventions,
    OdooSizing,
    Platform,
    RateLimit,
)
from costplane.catalog.service_class import BackupObjectives, DatabaseBand, Quota

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "catalog.md").read_text(encoding="utf-8")
MODELS: list[type[BaseModel]] = [
    Catalog,
    LabelKeys,
    RedisKeys,
    ServiceClass,
    Quota,
    DatabaseBand,
    BackupObjectives,
    SleepSchedule,
    PriceSheet,
    Price,
    Tenant,
    Contract,
    Compliance,
    Environment,
    Budget,
    BudgetScope,
    AllocationRules,
    Drivers,
    Overhead,
    ChargebackRules,
    PlacementRules,
    PlacementWeights,
    MigrationRules,
    ClassBlueprint,
    OdooSizing,
    Filestore,
    RateLimit,
    Autoscaling,
    DedicatedCache,
    Platform,
    IngressConventions,
    DatabaseConventions,
    CacheConventions,
    BackupConventions,
    ObjectStorageConventions,
    Branding,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_key_is_documented(model: type[BaseModel]) -> None:
    missing = [name for name in model.model_fields if f"`{name}`" not in DOCS]
    assert missing == []


@pytest.mark.parametrize("choices", [EnvironmentKind, CostDomain, Tenancy], ids=str)
def test_every_choice_is_documented(choices: type[EnvironmentKind | CostDomain | Tenancy]) -> None:
    missing = [choice.value for choice in choices if f"`{choice.value}`" not in DOCS]
    assert missing == []


def test_the_short_example_loads() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS, flags=re.DOTALL)
    assert len(blocks) == 1
    catalog = parse_catalog(blocks[0], "docs/catalog.md")
    assert catalog.tenants[0].id == "kontor-buero"
