"""Velero Backups get their bucket and region from the BackupStorageLocation the Kubernetes
collector read: the live collector (the official client against the loopback API server,
tests/kubeapi) loads the inventory into a real DuckDB warehouse, and the backups
collector reads it from there."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from costplane.catalog import Catalog
from costplane.sources.backups import BackupSources, collect_backups
from costplane.sources.kubernetes import collect_live
from costplane.warehouse import Warehouse, connect_warehouse
from tests import kubeapi
from tests.kubeapi import BUILT_IN_KINDS, write_kubeconfig
from tests.sources.kubernetes.conftest import CUSTOM_KINDS, cluster_objects

kube_api = kubeapi.kube_api
"""The loopback API server's fixture, used here without a conftest of its own."""

BACKUP = "baltic-foods-prod-20250105"
TAKEN = dt.datetime(2025, 1, 5, 3, 0)


def velero_rows(kube_api: Any, tmp_path: Path, catalog: Catalog, **switches: Any) -> list[Any]:
    """Collect the cluster into a warehouse, then its Velero backups; their rows."""
    server = kube_api(cluster_objects(), serve_kinds=(*BUILT_IN_KINDS, *CUSTOM_KINDS), **switches)
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", server, cluster="shared-eu-1")
    inventory = collect_live(catalog.labels, kubeconfig=kubeconfig, taken_at=TAKEN)
    path = tmp_path / "warehouse.duckdb"
    with connect_warehouse(f"duckdb:///{path}") as warehouse:
        warehouse.ingest(list(inventory.loads))

    def opener() -> Warehouse:
        return connect_warehouse(f"duckdb:///{path}")

    collected = collect_backups(BackupSources(velero=opener), catalog)
    return [row for load in collected.loads for row in load.data.to_pylist()]


def test_a_collected_location_gives_the_backup_its_bucket_and_region(
    kube_api: Any, tmp_path: Path, catalog: Catalog
) -> None:
    (row,) = velero_rows(kube_api, tmp_path, catalog)
    assert (row["backup_id"], row["tenant"], row["environment"]) == (
        BACKUP,
        "baltic-foods",
        "production",
    )
    assert row["location"] == f"s3://velero-shared-eu-1/shared-eu-1/backups/{BACKUP}"
    assert row["location_region"] == "eu-central-1"
    assert row["data_region"] == "eu-de"  # the tenant's, from the catalog


def test_without_the_location_crd_the_backup_has_no_bucket_nor_region(
    kube_api: Any, tmp_path: Path, catalog: Catalog
) -> None:
    (row,) = velero_rows(kube_api, tmp_path, catalog, unserved={"velero.io/backupstoragelocations"})
    assert row["backup_id"] == BACKUP
    assert row["location"] == f"velero://default/backups/{BACKUP}"
    assert row["location_region"] is None
