"""`costplane collect kubernetes` as a user runs it: output, warehouse, `sources status`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from costplane import retries
from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.kubeapi import BUILT_IN_KINDS
from tests.sources.kubernetes.conftest import CATALOG, CUSTOM_KINDS, ODOO_TENANT, cluster_objects

ALL_KINDS = (*BUILT_IN_KINDS, *CUSTOM_KINDS)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A project whose catalog is the distribution SaaS example."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copyfile(CATALOG, project / "costplane.yaml")
    return project


@pytest.fixture(autouse=True)
def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retries, "sleep", lambda _seconds: None)


def inventory(home: Path) -> list[dict[str, Any]]:
    with connect_warehouse(f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}") as warehouse:
        rows: list[dict[str, Any]] = warehouse.table("inventory_snapshots").to_pyarrow().to_pylist()
    return rows


def status(cli: Run, home: Path) -> list[dict[str, Any]]:
    result = cli("--home", str(home), "sources", "status", "--output", "json")
    assert result.exit_code == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def test_manifests_land_in_the_warehouse_and_in_sources_status(cli: Run, home: Path) -> None:
    result = cli(
        "--home", str(home), "collect", "kubernetes",
        "--manifests", str(ODOO_TENANT), "--cluster", "shared-eu-1", "--output", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["cluster"] == "shared-eu-1"
    assert summary["objects"] == 10
    assert summary["kinds"]["Deployment"] == 1
    assert summary["tenants"] == ["baltic-foods"]
    assert (summary["partial"], summary["missing"]) == (False, [])

    rows = inventory(home)
    assert len(rows) == 10
    assert {r["cluster"] for r in rows} == {"shared-eu-1"}
    assert {r["tenant"] for r in rows} == {"baltic-foods"}
    deployment = next(r for r in rows if r["kind"] == "Deployment")
    assert json.loads(deployment["object"])["spec"]["replicas"] == 2

    (entry,) = status(cli, home)
    assert (entry["source"], entry["target"], entry["status"]) == (
        "kubernetes",
        "shared-eu-1",
        "ok",
    )
    assert entry["last_success"] is not None


def test_live_table_output_from_the_installed_command(
    costplane: Run, home: Path, kube_api, kubeconfig_for
) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, unserved={"velero.io"})
    kubeconfig = kubeconfig_for(server)
    result = costplane(
        "--home", str(home), "collect", "kubernetes", "--kubeconfig", str(kubeconfig)
    )

    assert result.exit_code == 0, result.stderr
    assert "cluster shared-eu-1" in result.stdout
    lines = {line.split("│")[1].strip(): line.split("│")[2].strip()
             for line in result.stdout.splitlines() if line.count("│") == 3}  # fmt: skip
    assert lines["Pod"] == "6"
    assert lines["Namespace"] == "3"
    assert "tenants: baltic-foods, kontor-buero" in result.stdout
    # (rich wraps stderr at the terminal's width: compare the words)
    assert " ".join(result.stderr.split()) == (
        "warning: shared-eu-1: could not read Backup (velero.io/v1): not served by the "
        "cluster (no CRD?) warning: shared-eu-1: could not read BackupStorageLocation "
        "(velero.io/v1): not served by the cluster (no CRD?)"
    )
    assert server.token not in result.stdout + result.stderr
    assert len(inventory(home)) == sum(int(v) for v in lines.values())


def test_a_partial_run_is_recorded_with_what_it_missed(
    cli: Run, home: Path, kube_api, kubeconfig_for
) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS, forbidden={"pods"})
    result = cli(
        "--home", str(home), "collect", "kubernetes",
        "--kubeconfig", str(kubeconfig_for(server)), "--cluster", "prod-eu", "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["partial"] is True
    assert summary["missing"] == [
        "Pod (v1): forbidden (403): grant list on pods (deploy/kubernetes/base/rbac.yaml)"
    ]
    assert "Pod" not in summary["kinds"]

    (entry,) = status(cli, home)
    assert (entry["target"], entry["status"]) == ("prod-eu", "partial")
    assert entry["missing"] == summary["missing"]
    assert {r["cluster"] for r in inventory(home)} == {"prod-eu"}


def test_refused_credentials_exit_1_with_one_line_and_are_recorded(
    cli: Run, home: Path, kube_api, kubeconfig_for
) -> None:
    server = kube_api(cluster_objects(), serve_kinds=ALL_KINDS)
    kubeconfig = kubeconfig_for(server, token="stale-token-81bd")
    result = cli("--home", str(home), "collect", "kubernetes", "--kubeconfig", str(kubeconfig))

    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert "cluster shared-eu-1" in line
    assert "unauthorized (401)" in line
    assert "Traceback" not in result.stderr
    assert "stale-token-81bd" not in result.stderr

    (entry,) = status(cli, home)
    assert (entry["target"], entry["status"]) == ("shared-eu-1", "failed")
    assert "unauthorized (401)" in entry["last_error"]


def test_options_that_contradict_are_refused(cli: Run, home: Path, tmp_path: Path) -> None:
    result = cli(
        "--home", str(home), "collect", "kubernetes",
        "--manifests", str(ODOO_TENANT), "--in-cluster",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--manifests reads files" in result.stderr


def test_in_cluster_outside_a_pod_says_so(cli: Run, home: Path, monkeypatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    result = cli("--home", str(home), "collect", "kubernetes", "--in-cluster")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: in-cluster service account: Service host/port is not set. (not running in a pod?)"
    )
