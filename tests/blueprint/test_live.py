"""What runs, as drift reads it from the warehouse: each cluster's newest snapshot, the
tenant's namespaces (and those Namespaces). On both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from costplane.blueprint import live_objects, render_tenant_objects, tenant_drift
from costplane.catalog import LabelKeys
from costplane.sources.inventory import inventory_loads
from costplane.warehouse import Warehouse, connect_warehouse
from tests.blueprint.conftest import catalog_of

T1 = dt.datetime(2026, 10, 1)
T2 = dt.datetime(2026, 10, 2)


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    url = (
        f"duckdb:///{tmp_path / 'w.duckdb'}"
        if request.param == "duckdb"
        else request.getfixturevalue("postgres_url")
    )
    with connect_warehouse(url) as opened:
        yield opened


def _load(
    warehouse: Warehouse, cluster: str, at: dt.datetime, objects: list[dict[str, Any]]
) -> None:
    loads = inventory_loads(objects, source="kubernetes", cluster=cluster, taken_at=at,
                            labels=LabelKeys())  # fmt: skip
    warehouse.ingest(loads)


def test_the_newest_snapshot_of_the_tenant_namespaces_drifts_from_render(
    warehouse: Warehouse, example_home: Path
) -> None:
    catalog = catalog_of(example_home)
    rendering = render_tenant_objects(catalog, "kontor-buero")
    production = rendering.environments[0]
    objects = [dict(obj) for obj in production.objects if obj["kind"] != "Schedule"]
    web = next(o for o in objects if o["metadata"]["name"] == "odoo-web")
    scaled = {**web, "spec": {**web["spec"], "replicas": 2}}
    elsewhere = {"name": "odoo-web", "namespace": "veluwe-tuin-prod"}
    other = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": elsewhere, "spec": {}}
    _load(warehouse, "c1", T1, [o for o in objects if o is not web] + [scaled, other])
    _load(warehouse, "c1", T2, [o for o in objects if o is not web] + [scaled, other])
    left = {"name": "left", "namespace": "kontor-buero-prod"}
    _load(warehouse, "c2", T1, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": left}])
    live = live_objects(warehouse, {"kontor-buero-prod", "kontor-buero-staging", "velero"})
    names = sorted((o["kind"], o["metadata"]["name"]) for o in live)
    assert len(live) == len(objects) + 1  # c1's newest, c2's only; not the other tenant's
    assert ("ConfigMap", "left") in names
    assert ("Namespace", "kontor-buero-prod") in names
    drifts = tenant_drift(rendering, live, catalog)
    summary = sorted(
        (d.drift.value, d.kind, d.name) for d in drifts if d.environment == "production"
    )
    assert summary == [
        ("changed", "Deployment", "odoo-web"),
        ("extra", "ConfigMap", "left"),
        ("missing", "Schedule", "kontor-buero-prod"),
    ]
