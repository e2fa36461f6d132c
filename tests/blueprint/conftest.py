"""Catalogs to render: the example catalog, and one built from the fleet generator's classes
(a tenant per class, with every environment the class has a quota for)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from costplane.catalog import Catalog, load_catalog
from costplane_fleet.catalog import write_catalog
from costplane_fleet.offering import PRICE_SHEET, SERVICE_CLASSES

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "distribution-saas" / "costplane.yaml"


def fleet_catalog_body() -> dict[str, object]:
    return {
        "version": 1,
        "currency": "EUR",
        "service_classes": {
            k: v.model_dump(mode="json", exclude_defaults=True) for k, v in SERVICE_CLASSES.items()
        },
        "price_sheet": PRICE_SHEET.model_dump(mode="json"),
        "tenants": [
            {
                "id": f"fleet-{class_id}",
                "name": f"Fleet {class_id}",
                "service_class": class_id,
                "region": "eu-de",
                "contracts": [{"start": "2026-01-01"}],
                "environments": {
                    kind.value: {
                        "namespaces": [f"fleet-{class_id}-{kind.value}"],
                        "databases": [f"fleet_{class_id.replace('-', '_')}_{kind.value}"],
                    }
                    for kind in service_class.quota
                },
            }
            for class_id, service_class in SERVICE_CLASSES.items()
        ],
    }


@pytest.fixture(scope="session")
def example_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("example")
    shutil.copy(EXAMPLE, home / "costplane.yaml")
    return home


@pytest.fixture(scope="session")
def fleet_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose catalog the fleet generator's writer wrote."""
    home = tmp_path_factory.mktemp("fleet-classes")
    write_catalog(Catalog.model_validate(fleet_catalog_body()), home / "costplane.yaml")
    return home


@pytest.fixture(scope="session", params=["example", "fleet"])
def catalog_home(request: pytest.FixtureRequest, example_home: Path, fleet_home: Path) -> Path:
    return example_home if request.param == "example" else fleet_home


def catalog_of(home: Path) -> Catalog:
    return load_catalog(home / "costplane.yaml")
