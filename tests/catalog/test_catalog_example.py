"""The shipped example catalog loads, and says what its comments say it does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.catalog import Catalog, EnvironmentKind, load_catalog

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"
SUFFIX = {
    EnvironmentKind.PRODUCTION: "prod",
    EnvironmentKind.STAGING: "staging",
    EnvironmentKind.DEVELOPMENT: "dev",
    EnvironmentKind.DR: "dr",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(EXAMPLE)


def test_the_example_declares_the_four_service_classes_in_euro(catalog: Catalog) -> None:
    assert catalog.currency == "EUR"
    assert list(catalog.service_classes) == [
        "shared-standard",
        "shared-plus",
        "dedicated",
        "dedicated-regulated",
    ]
    assert [c.monthly_fee for c in catalog.service_classes.values()] == [
        Decimal("450.00"),
        Decimal("1150.00"),
        Decimal("4800.00"),
        Decimal("12500.00"),
    ]
    assert 6 <= len(catalog.tenants) <= 8
    assert len(catalog.budgets) == 4


def test_prices_are_normalised_exactly(catalog: Catalog) -> None:
    prices = catalog.price_sheet
    assert prices.storage["standard-rwo"].canonical == Decimal("0.10") / Decimal(730)
    assert prices.storage["premium-rwo"].canonical == Decimal("0.24") / Decimal(730)
    assert prices.cpu.canonical == Decimal(23) / Decimal(730)
    assert prices.cpu.per_month == Decimal(23)
    assert prices.memory.per_month == Decimal("3.10")
    assert prices.egress.canonical == Decimal("0.08") * Decimal("1.073741824")  # GB, not GiB
    assert prices.log_ingest.canonical == Decimal("0.45")
    assert prices.load_balancer.per_month == Decimal("18.25")


def test_only_the_regulated_class_never_sleeps(catalog: Catalog) -> None:
    schedules = {name: c.sleep_schedule for name, c in catalog.service_classes.items()}
    assert schedules["dedicated-regulated"] is None
    for name in ("shared-standard", "shared-plus", "dedicated"):
        schedule = schedules[name]
        assert schedule is not None
        assert schedule.time_zone == "Europe/Berlin"
        assert schedule.weekdays == ["mon", "tue", "wed", "thu", "fri"]


def test_namespaces_follow_the_tenant_and_environment(catalog: Catalog) -> None:
    for tenant in catalog.tenants:
        for kind, environment in tenant.environments.items():
            assert environment.namespaces == [f"{tenant.id}-{SUFFIX[kind]}"]


def test_contract_fees_override_and_follow_each_other(catalog: Catalog) -> None:
    transalp = catalog.tenant("transalp-parts")
    assert transalp is not None
    assert transalp.contracts[0].monthly_fee == Decimal("4450.00")

    mosel = catalog.tenant("mosel-wein")
    assert mosel is not None
    last_day_of_first = mosel.contract_on(dt.date(2024, 12, 31))
    first_day_of_renewal = mosel.contract_on(dt.date(2025, 1, 1))
    assert last_day_of_first is not None
    assert last_day_of_first.monthly_fee == Decimal("390.00")
    assert first_day_of_renewal is not None
    assert first_day_of_renewal.monthly_fee is None  # the class fee applies again


def test_budgets_name_tenants_that_exist(catalog: Catalog) -> None:
    scoped = [b.scope.tenant for b in catalog.budgets if b.scope.tenant is not None]
    assert scoped
    assert all(catalog.tenant(tenant_id) is not None for tenant_id in scoped)
