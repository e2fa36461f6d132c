"""Velero Backups read from the latest Kubernetes inventory in the warehouse.

The inventory is written as the Kubernetes collector writes it (`inventory_table` on
objects read from a `kubectl get -o json` list), into a real DuckDB warehouse.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import Catalog
from costplane.errors import ExecutionError
from costplane.sources import inventory_table, read_objects
from costplane.sources.backups import BackupSources, collect_backups
from costplane.sources.collector import Collected
from costplane.warehouse import Load, Warehouse, connect_warehouse
from tests.sources.backups.conftest import DATA

EXPORT = DATA / "velero-fra1.json"
EARLIER = dt.datetime(2025, 3, 2, 12, 0)
LATEST = dt.datetime(2025, 3, 3, 12, 5)


def _inventory(catalog: Catalog, cluster: str, at: dt.datetime, objects: list[Any]) -> Load:
    rows = inventory_table(objects, cluster=cluster, taken_at=at, labels=catalog.labels)
    return Load("inventory_snapshots", "kubernetes", cluster, at, at, rows)


@pytest.fixture
def warehouse_file(tmp_path: Path, catalog: Catalog) -> Path:
    """fra1 snapshotted twice (a Backup gone since the first), ams1 once without Velero."""
    path = tmp_path / "warehouse.duckdb"
    objects = list(read_objects(EXPORT))
    gone = {**objects[-1], "metadata": {**objects[-1]["metadata"], "name": "deleted-since"}}
    with connect_warehouse(f"duckdb:///{path}") as warehouse:
        warehouse.ingest(
            [
                _inventory(catalog, "fra1", EARLIER, [*objects, gone]),
                _inventory(catalog, "fra1", LATEST, objects),
                _inventory(catalog, "ams1", LATEST, objects[:2]),  # two Namespaces
            ]
        )
    return path


def _collect(path: Path, catalog: Catalog) -> Collected:
    def opener() -> Warehouse:  # as the CLI opens it: the declared tables exist
        warehouse = connect_warehouse(f"duckdb:///{path}")
        warehouse.ensure_schema()
        return warehouse

    return collect_backups(BackupSources(velero=opener), catalog)


def _rows(collected: Collected) -> list[dict[str, Any]]:
    return [row for load in collected.loads for row in load.data.to_pylist()]


def _listed() -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in read_objects(EXPORT) if o["kind"] == "Backup"}


def test_backups_of_the_latest_snapshot_become_rows_per_tenant(
    warehouse_file: Path, catalog: Catalog
) -> None:
    rows = _rows(_collect(warehouse_file, catalog))
    assert {r["backup_id"] for r in rows} == set(_listed())  # "deleted-since" is gone
    assert {r["taken_at"] for r in rows} == {LATEST}
    placed = {(r["backup_id"], r["tenant"], r["environment"]) for r in rows}
    assert ("alpenpharm-daily-20250303010034", "alpenpharm", "production") in placed
    assert ("alpenpharm-daily-20250303010034", "alpenpharm", "staging") in placed
    assert ("kontor-buero-prod-daily-20250303010012", "kontor-buero", "production") in placed
    assert ("cluster-resources-20250303000007", None, None) in placed  # all namespaces
    assert ("mosel-wein-before-upgrade", "mosel-wein", "production") in placed  # its labels
    assert all(r["tool"] == "velero" and r["size_bytes"] is None for r in rows)


def test_times_status_and_location_are_velero_s(warehouse_file: Path, catalog: Catalog) -> None:
    rows = {r["backup_id"]: r for r in _rows(_collect(warehouse_file, catalog))}
    for name, backup in _listed().items():
        status = backup["status"]
        assert rows[name]["started_at"] == _utc(status["startTimestamp"])
        assert rows[name]["finished_at"] == _utc(status.get("completionTimestamp"))
    statuses = {name: row["status"] for name, row in rows.items()}
    assert statuses == {
        "kontor-buero-prod-daily-20250303010012": "ok",
        "alpenpharm-daily-20250303010034": "ok",
        "alpenpharm-daily-20250302010031": "error",
        "veluwe-tuin-prod-daily-20250303120002": "running",
        "cluster-resources-20250303000007": "ok",
        "mosel-wein-before-upgrade": "partial",
    }
    kontor = rows["kontor-buero-prod-daily-20250303010012"]
    assert kontor["location"] == (
        "s3://velero-fra1/cluster-fra1/backups/kontor-buero-prod-daily-20250303010012"
    )
    assert kontor["location_region"] == "eu-central-1"
    assert kontor["data_region"] == "eu-de"
    mosel = rows["mosel-wein-before-upgrade"]  # its location is not in the inventory
    assert mosel["location"] == "velero://offsite/backups/mosel-wein-before-upgrade"


def test_one_load_per_cluster_at_its_snapshot(warehouse_file: Path, catalog: Catalog) -> None:
    collected = _collect(warehouse_file, catalog)
    loads = {(load.source, load.scope): load for load in collected.loads}
    assert set(loads) == {("velero", "fra1"), ("velero", "ams1")}
    assert loads["velero", "ams1"].data.num_rows == 0
    assert loads["velero", "fra1"].period_start == LATEST
    clusters = collected.summary["systems"][0]["clusters"]
    assert {c["cluster"]: c["backups"] for c in clusters} == {"ams1": 0, "fra1": 6}


def test_the_summary_shows_the_newest_good_backup_and_when_it_expires(
    warehouse_file: Path, catalog: Catalog
) -> None:
    tenants = {t["tenant"]: t for t in _collect(warehouse_file, catalog).summary["tenants"]}
    alpenpharm = tenants["alpenpharm"]
    assert alpenpharm["backup_id"] == "alpenpharm-daily-20250303010034"
    assert alpenpharm["newest_backup_at"] == dt.datetime(2025, 3, 3, 1, 9, 3)
    assert alpenpharm["expires_at"] == dt.datetime(2025, 4, 2, 1, 0, 34)
    assert alpenpharm["failed_backups"] == 1
    assert alpenpharm["systems"] == ["velero"]
    assert tenants["veluwe-tuin"]["backup_id"] is None  # still running
    assert tenants[None]["backup_id"] == "cluster-resources-20250303000007"


def test_a_warehouse_without_inventory_fails_velero_with_the_next_step(
    tmp_path: Path, catalog: Catalog
) -> None:
    with pytest.raises(
        ExecutionError, match=r"no Kubernetes inventory.*costplane collect kubernetes"
    ):
        _collect(tmp_path / "empty.duckdb", catalog)


def _utc(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).replace(tzinfo=None)
