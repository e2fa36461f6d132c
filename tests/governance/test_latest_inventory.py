"""Which form of each cluster's newest snapshot govern reads: its stored columns where the
load wrote them and they hold every object, its texts otherwise. Whatever the form, every
object loaded is there once. On both engines."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.governance.pack.scenario import catalog

from costplane.catalog import LabelKeys
from costplane.governance.inventory.object_columns import stored_texts
from costplane.governance.inventory_sources import latest_inventory, stored_inventory
from costplane.governance.ownership import Ownership
from costplane.sources.inventory import inventory_loads
from costplane.warehouse import Warehouse, connect_warehouse
from costplane.warehouse.columnar import ObjectColumns

T1 = dt.datetime(2026, 10, 1)
T2 = dt.datetime(2026, 10, 2)


def deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "acme-prod"},
            "spec": {"replicas": replicas}}  # fmt: skip


def load(
    warehouse: Warehouse,
    cluster: str,
    at: dt.datetime,
    objects: list[dict[str, Any]],
    *,
    columns: bool = True,
    source: str = "kubernetes",
    allow_shrink: bool = False,
) -> None:
    loads = inventory_loads(objects, source=source, cluster=cluster, taken_at=at,
                            labels=LabelKeys())  # fmt: skip
    warehouse.ingest(loads if columns else loads[:1], allow_shrink=allow_shrink)


def forms(warehouse: Warehouse, at: dt.datetime | None = None) -> dict[str, list[str]]:
    """Per cluster, how each of its parts is kept."""
    latest = latest_inventory(warehouse, at)
    found: dict[str, list[str]] = {}
    for parts in latest.parts.values():
        for cluster, part in parts:
            kept = "columns" if isinstance(part, ObjectColumns) else "texts"
            found.setdefault(str(cluster), []).append(kept)
    return found


def names(warehouse: Warehouse, at: dt.datetime | None = None) -> list[tuple[str, int]]:
    latest = latest_inventory(warehouse, at)
    return sorted(
        (doc["metadata"]["name"], doc["spec"]["replicas"])
        for parts in latest.parts.values()
        for _, part in parts
        for doc in map(json.loads, stored_texts([part]).to_pylist())
    )


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    """A DuckDB file and a scratch PostgreSQL database: the columns are base64 text, which
    each engine's bulk path carries."""
    url = (
        f"duckdb:///{tmp_path / 'w.duckdb'}"
        if request.param == "duckdb"
        else request.getfixturevalue("postgres_url")
    )
    with connect_warehouse(url) as opened:
        yield opened


def test_a_snapshot_with_columns_is_read_from_them_one_without_from_its_texts(
    warehouse: Warehouse,
) -> None:
    load(warehouse, "new", T1, [deployment("a"), deployment("b")])
    load(warehouse, "old", T1, [deployment("c")], columns=False)  # an earlier release's load
    assert forms(warehouse) == {"new": ["columns"], "old": ["texts"]}
    assert names(warehouse) == [("a", 1), ("b", 1), ("c", 1)]
    # one batch of both: documents, identities and policies' reads span the two parts
    inventory = stored_inventory(latest_inventory(warehouse), Ownership(catalog()))
    batch = inventory.batch("Deployment")
    assert batch is not None
    assert batch.read_paths is not None
    assert [d["metadata"]["name"] for d in batch.documents] == ["a", "b", "c"]
    assert [(r.cluster, r.name) for r in batch.refs_of([0, 2])] == [("new", "a"), ("old", "c")]
    [column] = batch.read_paths([("spec", "replicas")]).values()
    assert (column.rows, column.values) == (3, [1, 1, 1])


def test_the_newest_snapshot_is_read_even_when_an_older_one_has_columns(
    warehouse: Warehouse,
) -> None:
    load(warehouse, "eu", T1, [deployment("a", replicas=1)])
    load(warehouse, "eu", T2, [deployment("a", replicas=3)], columns=False)
    assert forms(warehouse) == {"eu": ["texts"]}
    assert names(warehouse) == [("a", 3)]
    assert forms(warehouse, T1) == {"eu": ["columns"]}
    assert names(warehouse, T1) == [("a", 1)]


def test_columns_that_do_not_hold_every_object_are_not_used(warehouse: Warehouse) -> None:
    """Two sources loading one cluster at one instant: columns from one, texts from both."""
    load(warehouse, "eu", T1, [deployment("a")])
    load(warehouse, "eu", T1, [deployment("b")], columns=False, source="gitops")
    assert forms(warehouse) == {"eu": ["texts"]}
    assert names(warehouse) == [("a", 1), ("b", 1)]


def test_reloading_a_snapshot_replaces_its_columns_too(warehouse: Warehouse) -> None:
    load(warehouse, "eu", T1, [deployment("a"), deployment("b")])
    # b was deleted: half the snapshot, a shrink the ingest refuses unless told
    load(warehouse, "eu", T1, [deployment("a", replicas=2)], allow_shrink=True)
    assert forms(warehouse) == {"eu": ["columns"]}
    assert names(warehouse) == [("a", 2)]


def test_owners_are_resolved_from_the_documents_of_columns(warehouse: Warehouse) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "acme-prod"}}
    load(warehouse, "eu", T1, [namespace, deployment("a")])
    inventory = stored_inventory(latest_inventory(warehouse), Ownership(catalog()))
    batch = inventory.batch("Deployment")
    assert batch is not None
    ref = batch.ref(0)
    assert (ref.cluster, ref.namespace, ref.name, ref.tenant) == ("eu", "acme-prod", "a", "acme")
