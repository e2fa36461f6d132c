"""The forecast tests' catalog (two bands) and their warehouse, on either engine.

Kept out of a conftest.py: other suites share this folder, and a fixture here is used
only by the modules that import `engine_warehouse`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from costplane.catalog import Catalog, parse_catalog
from costplane.warehouse import Warehouse, connect_warehouse
from tests.price_sheet import PRICE_SHEET


def service_class(max_gib: int, fee: str) -> str:
    return f"""
    tenancy: shared
    quota:
      production: {{cpu: "2", memory: 8Gi}}
    database_band_gib: {{min_gib: 0, max_gib: {max_gib}}}
    snapshot_retention_days: 7
    log_retention_days: 14
    backup: {{rpo_minutes: 1440, rto_minutes: 480, restore_test_interval_days: 30}}
    ha_replicas: 1
    support_level: business-hours
    monthly_fee: "{fee}"
"""


def tenant(tenant_id: str, klass: str) -> str:
    return f"""
  - id: {tenant_id}
    name: {tenant_id.title()}
    service_class: {klass}
    region: eu-de
    contracts: [{{start: 2025-01-01}}]
    environments:
      production: {{namespaces: [{tenant_id}-prod], databases: [{tenant_id}_prod]}}
"""


CATALOG: Catalog = parse_catalog(
    "currency: EUR\nservice_classes:\n  large:"
    + service_class(200, "900.00")
    + "  small:"
    + service_class(20, "300.00")
    + PRICE_SHEET
    + "tenants:"
    + tenant("acme", "small")
    + tenant("bolt", "small")
    + tenant("crux", "large"),
    "forecast-catalog.yaml",
)
"""`small` (band 0-20 GiB) and `large` (0-200 GiB); database storage at 0.20 a GiB-month."""


def engine_warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """An empty warehouse with its schema, on the engine `request.param` names."""
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path / 'w.duckdb'}"
    else:
        url = request.getfixturevalue("postgres_url")
    with connect_warehouse(url) as opened:
        opened.ensure_schema()
        yield opened
