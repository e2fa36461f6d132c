"""A real pgBackRest repository, read by running `pgbackrest info` with its configuration."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from costplane.catalog import Catalog
from costplane.errors import ServiceUnavailableError
from costplane.sources.backups import (
    BackupSources,
    PgBackRestSource,
    TenantIndex,
    collect_backups,
)
from costplane.sources.backups.pgbackrest import parse_info
from costplane.sources.backups.tenancy import Placement
from costplane.warehouse import Load
from tests.sources.backups.conftest import (
    STANZA,
    TENANT_DATABASES,
    PgBackRestCluster,
    utc,
)


def _rows(loads: Sequence[Load]) -> list[dict[str, Any]]:
    return [row for load in loads for row in load.data.to_pylist()]


def test_every_real_backup_becomes_a_row_with_what_pgbackrest_reported(
    pgbackrest_cluster: PgBackRestCluster, catalog: Catalog
) -> None:
    source = PgBackRestSource(config=pgbackrest_cluster.config)
    collected = collect_backups(BackupSources(pgbackrest=source), catalog)
    reported = pgbackrest_cluster.info[0]["backup"]
    assert [b["type"] for b in reported] == ["full", "diff", "incr"]
    # a shared cluster: one row per backup without a tenant (it carries the size), and one
    # per tenant database inside it (`database-ref`, read with `info --set`)
    sized = {r["backup_id"]: r for r in _rows(collected.loads) if r["size_bytes"] is not None}
    assert set(sized) == {b["label"] for b in reported}
    for backup in reported:
        row = sized[backup["label"]]
        assert row["backup_type"] == backup["type"]
        assert row["started_at"] == utc(backup["timestamp"]["start"])
        assert row["finished_at"] == utc(backup["timestamp"]["stop"])
        assert row["size_bytes"] == backup["info"]["repository"]["delta"]
        assert row["size_bytes"] == pgbackrest_cluster.stored_bytes(backup["label"])
        assert pgbackrest_cluster.started <= row["started_at"] <= row["finished_at"]
        assert row["finished_at"] <= pgbackrest_cluster.finished
        assert row["status"] == "ok"
        assert row["tool"] == "pgbackrest"
        assert row["tenant"] is None
        location = row["location"]
        assert location.startswith("file://")
        assert location.endswith(str(pgbackrest_cluster.backup_directory(backup["label"])))
        assert pgbackrest_cluster.backup_directory(backup["label"]).is_dir()
    assert not collected.partial


def test_a_shared_cluster_covers_each_tenant_database_without_counting_its_bytes_twice(
    pgbackrest_cluster: PgBackRestCluster, catalog: Catalog
) -> None:
    source = PgBackRestSource(config=pgbackrest_cluster.config)
    collected = collect_backups(BackupSources(pgbackrest=source), catalog)
    rows = _rows(collected.loads)
    covered = {(r["tenant"], r["database"]) for r in rows if r["tenant"]}
    assert covered == {("kontor-buero", "kontor_buero_prod"), ("veluwe-tuin", "veluwe_tuin_prod")}
    assert all(r["size_bytes"] is None for r in rows if r["tenant"])
    total = sum(r["size_bytes"] for r in rows if r["size_bytes"] is not None)
    assert total == sum(
        b["info"]["repository"]["delta"] for b in pgbackrest_cluster.info[0]["backup"]
    )
    newest = {t["tenant"]: t for t in collected.summary["tenants"]}
    last = pgbackrest_cluster.info[0]["backup"][-1]
    assert newest["kontor-buero"]["backup_id"] == last["label"]
    assert newest["kontor-buero"]["newest_backup_at"] == utc(last["timestamp"]["stop"])
    assert newest["mosel-wein"]["backup_id"] is None


def test_an_explicit_stanza_mapping_gives_the_whole_cluster_to_one_tenant(
    pgbackrest_cluster: PgBackRestCluster, catalog: Catalog
) -> None:
    mapping = {STANZA: Placement("alpenpharm", "production", "alpenpharm_prod")}
    source = PgBackRestSource(config=pgbackrest_cluster.config, stanza_tenants=mapping)
    collected = collect_backups(BackupSources(pgbackrest=source), catalog)
    rows = _rows(collected.loads)
    assert {(r["tenant"], r["environment"], r["database"]) for r in rows} == {
        ("alpenpharm", "production", "alpenpharm_prod")
    }
    assert all(r["data_region"] == "eu-de" for r in rows)
    (load,) = collected.loads
    assert (load.source, load.scope) == ("pgbackrest", STANZA)


def test_info_set_lists_the_databases_the_mapping_relies_on(
    pgbackrest_cluster: PgBackRestCluster,
) -> None:
    from costplane.sources.backups.pgbackrest_repo import run_info

    label = pgbackrest_cluster.info[0]["backup"][-1]["label"]
    (stanza,) = parse_info(
        run_info(pgbackrest_cluster.config, stanza=STANZA, backup_set=label), "set"
    )
    assert set(TENANT_DATABASES) <= stanza.databases
    assert stanza.archive_max == pgbackrest_cluster.info[0]["archive"][-1]["max"]


def test_a_repository_pgbackrest_cannot_read_is_reported_per_stanza(
    pgbackrest_cluster: PgBackRestCluster, catalog: Catalog, tmp_path: Path
) -> None:
    """A copy of the real repository whose backup.info files are damaged: pgBackRest says
    so in the stanza's status (exit code 0), and the collector fails naming it."""

    repository = tmp_path / "repo"
    shutil.copytree(pgbackrest_cluster.repository, repository)
    for name in ("backup.info", "backup.info.copy"):
        (repository / "backup" / STANZA / name).write_text("damaged\n")
    config = tmp_path / "pgbackrest.conf"
    config.write_text(f"[global]\nrepo1-path={repository}\nlog-level-file=off\n")
    source = PgBackRestSource(config=config)
    with pytest.raises(ServiceUnavailableError, match=r"stanza main: repo1: \[FormatError\]"):
        collect_backups(BackupSources(pgbackrest=source), catalog)


def test_tenant_index_reads_the_catalog_names(catalog: Catalog) -> None:
    tenants = TenantIndex(catalog)
    assert tenants.for_name("kontor_buero_prod") == Placement(
        "kontor-buero", "production", "kontor_buero_prod"
    )
    assert tenants.for_name("alpenpharm-staging") == Placement(
        "alpenpharm", "staging", "alpenpharm_staging"
    )
    assert tenants.for_name("alpenpharm") == Placement(
        "alpenpharm", "production", "alpenpharm_prod"
    )
    assert tenants.for_name("nobody") is None


def test_allocation_reads_collected_rows_as_the_bytes_the_repository_keeps(
    pgbackrest_cluster: PgBackRestCluster, catalog: Catalog, tmp_path: Path
) -> None:
    """The allocation's storage charge sums the listed backups' sizes: for a real repository
    that must be what the backups take on disk, counted once for the shared cluster."""
    import ibis

    from costplane.allocation.engine import backup_bytes
    from costplane.allocation.window import day_table
    from costplane.warehouse import connect_warehouse

    source = PgBackRestSource(config=pgbackrest_cluster.config)
    collected = collect_backups(BackupSources(pgbackrest=source), catalog)
    day = pgbackrest_cluster.finished.date()
    with connect_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}") as warehouse:
        warehouse.ingest(collected.loads)
        window = ibis.memtable(day_table(day, day + dt.timedelta(days=1)))
        held = backup_bytes(warehouse.table("backup_records"), window).to_pyarrow().to_pylist()
    on_disk = sum(
        pgbackrest_cluster.stored_bytes(b["label"]) for b in pgbackrest_cluster.info[0]["backup"]
    )
    sized = [(r["tenant"], r["size_bytes"]) for r in held if r["size_bytes"] is not None]
    assert sized == [(None, on_disk)]
    assert {r["tenant"] for r in held if r["size_bytes"] is None} == {"kontor-buero", "veluwe-tuin"}
