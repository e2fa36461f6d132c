"""`costplane drift`: a GitOps repository, or the warehouse's inventory, against render."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from costplane.catalog import load_catalog
from tests.conftest import Run

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, example_home: Path) -> dict[str, Path]:
    """kontor-buero rendered in both layouts, once."""
    from typer.testing import CliRunner

    from costplane.surfaces.cli.app import app

    out = tmp_path_factory.mktemp("drift")
    for layout in ("kustomize", "plain"):
        args = ["--home", str(example_home), "render", "tenant", "kontor-buero"]
        result = CliRunner().invoke(app, [*args, "--out", str(out / layout), "--format", layout])
        assert result.exit_code == 0, result.stderr
    return {"kustomize": out / "kustomize", "plain": out / "plain"}


def _drift(cli: Run, home: Path, directory: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    args = ["--home", str(home), "drift", "--tenant", "kontor-buero", "--manifests"]
    result = cli(*args, str(directory), "-o", "json", *extra)
    assert result.exit_code in (0, 3), result.stderr
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("layout", ["kustomize", "plain"])
def test_a_fresh_rendering_has_no_drift(
    cli: Run, example_home: Path, rendered: dict[str, Path], layout: str
) -> None:
    code, report = _drift(cli, example_home, rendered[layout], "--fail-on", "drift")
    assert code == 0
    assert report["drifts"] == []
    assert report["objects_compared"] == 26
    assert report["monthly_amount"] == "0.00"


def _edit(directory: Path, edit: Any) -> None:
    for path in sorted(directory.glob("*.yaml")):
        docs = [edit(doc) for doc in yaml.load_all(path.read_text(), Loader=_LOADER)]
        path.write_text(yaml.safe_dump_all([d for d in docs if d is not None]))


def test_what_the_cluster_sets_is_not_drift(
    cli: Run, example_home: Path, rendered: dict[str, Path], tmp_path: Path
) -> None:
    shutil.copytree(rendered["plain"], tmp_path / "live")

    def as_the_cluster_returns_it(doc: dict[str, Any]) -> dict[str, Any]:
        doc["status"] = {"observedGeneration": 3}
        doc["metadata"]["managedFields"] = [{"manager": "kubectl"}]
        doc["metadata"]["uid"] = "0b7f"
        doc["metadata"].setdefault("labels", {})["kubernetes.io/metadata.name"] = "x"
        if doc["kind"] == "Deployment":
            spec = doc["spec"]["template"]["spec"]
            for container in spec["containers"]:
                container["imagePullPolicy"] = "IfNotPresent"
                limits = container["resources"]["limits"]
                if limits["memory"] == "6Gi":  # the API server writes 6144Mi as 6Gi
                    limits["memory"] = str(6 * 1024**3)
            spec["dnsPolicy"] = "ClusterFirst"
        if doc["kind"] == "ResourceQuota" and doc["spec"]["hard"]["requests.cpu"] == "2":
            doc["spec"]["hard"]["requests.cpu"] = "2000m"
        return doc

    _edit(tmp_path / "live", as_the_cluster_returns_it)
    code, report = _drift(cli, example_home, tmp_path / "live", "--fail-on", "drift")
    assert report["drifts"] == []
    assert code == 0


def test_missing_extra_and_changed_objects_with_their_money(
    cli: Run, example_home: Path, rendered: dict[str, Path], tmp_path: Path
) -> None:
    shutil.copytree(rendered["plain"], tmp_path / "live")
    extra_worker: dict[str, Any] = {}

    def drifted(doc: dict[str, Any]) -> dict[str, Any] | None:
        name, namespace = doc["metadata"]["name"], doc["metadata"].get("namespace")
        if doc["kind"] == "SleepInfo":
            return None
        if doc["kind"] == "Deployment" and (namespace, name) == ("kontor-buero-prod", "odoo-web"):
            doc["spec"]["replicas"] = 2
            extra_worker.update(json.loads(json.dumps(doc)))
        if doc["kind"] == "ResourceQuota" and namespace == "kontor-buero-prod":
            doc["spec"]["hard"]["requests.cpu"] = "3"
        if doc["kind"] == "Deployment" and name == "odoo-cron" and namespace.endswith("staging"):
            doc["spec"]["template"]["spec"]["containers"][0]["image"] = "odoo:latest"
        return doc

    _edit(tmp_path / "live", drifted)
    extra_worker["metadata"]["name"] = "odoo-queue"
    extra_worker["spec"]["replicas"] = 1
    (tmp_path / "live" / "extra.yaml").write_text(yaml.safe_dump(extra_worker))
    code, report = _drift(cli, example_home, tmp_path / "live", "--fail-on", "drift")
    assert code == 3
    found = {(d["drift"], d["kind"], d["namespace"], d["name"]): d for d in report["drifts"]}
    assert sorted(found) == [
        ("changed", "Deployment", "kontor-buero-prod", "odoo-web"),
        ("changed", "Deployment", "kontor-buero-staging", "odoo-cron"),
        ("changed", "ResourceQuota", "kontor-buero-prod", "entitlement"),
        ("extra", "Deployment", "kontor-buero-prod", "odoo-queue"),
        ("missing", "SleepInfo", "kontor-buero-staging", "working-hours"),
    ]
    # the web pod requests 1700m and 6Gi; the price sheet: 23 per core-month, 3.10 per GiB-month
    pod = Decimal("1.7") * 23 + 6 * Decimal("3.10")
    web = found[("changed", "Deployment", "kontor-buero-prod", "odoo-web")]
    assert web["fields"] == [{"path": "spec.replicas", "rendered": 1, "actual": 2}]
    assert Decimal(web["monthly_amount"]) == pod
    assert (
        Decimal(found[("extra", "Deployment", "kontor-buero-prod", "odoo-queue")]["monthly_amount"])
        == pod
    )
    quota = found[("changed", "ResourceQuota", "kontor-buero-prod", "entitlement")]
    assert quota["fields"][0]["path"] == "spec.hard.requests.cpu"
    assert Decimal(quota["monthly_amount"]) == 23
    cron = found[("changed", "Deployment", "kontor-buero-staging", "odoo-cron")]
    assert cron["fields"][0]["actual"] == "odoo:latest"
    assert (
        found[("missing", "SleepInfo", "kontor-buero-staging", "working-hours")]["monthly_amount"]
        is None
    )
    assert Decimal(report["monthly_amount"]) == 2 * pod + 23


def test_a_kustomization_with_what_costplane_cannot_build_is_refused(
    cli: Run, example_home: Path, rendered: dict[str, Path], tmp_path: Path
) -> None:
    shutil.copytree(rendered["kustomize"], tmp_path / "repo")
    kustomization = tmp_path / "repo" / "overlays" / "staging" / "kustomization.yaml"
    kustomization.write_text(kustomization.read_text() + "patches:\n  - path: web.yaml\n")
    args = ["--home", str(example_home), "drift", "--manifests", str(tmp_path / "repo")]
    result = cli(*args)
    assert result.exit_code == 2
    assert f"{kustomization}: patches: not read by Costplane" in result.stderr


def test_drift_against_the_demo_warehouse_inventory(cli: Run, demo_home: Path) -> None:
    """The demo's fleet runs its own objects: drift lists them as extra, counted in the
    warehouse independently."""
    catalog = load_catalog(demo_home / "costplane.yaml")
    tenant = catalog.tenants[0]
    result = cli("--home", str(demo_home), "drift", "--tenant", tenant.id, "-o", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    namespaces = [env.namespaces[0] for env in tenant.environments.values()]
    extra = sorted(
        (d["kind"], d["namespace"], d["name"]) for d in report["drifts"] if d["drift"] == "extra"
    )
    rendered_kinds = ("Deployment", "ResourceQuota", "LimitRange", "Service", "Middleware")
    with duckdb.connect(str(demo_home / ".costplane" / "warehouse.duckdb"), read_only=True) as db:
        rows = db.execute(
            """
            with newest as (
              select cluster, max(taken_at) as taken_at from inventory_snapshots group by cluster)
            select kind, namespace, name
            from inventory_snapshots join newest using (cluster, taken_at)
            where namespace in (select unnest(?)) and kind in (select unnest(?))
            order by all
            """,
            [namespaces, list(rendered_kinds)],
        ).fetchall()
    rendered = {("Deployment", "odoo-web"), ("Deployment", "odoo-cron")}
    expected = [row for row in rows if (row[0], row[2]) not in rendered]
    assert [row for row in extra if row[0] in rendered_kinds] == expected
    assert expected, "the fleet runs objects render does not make"
    uncollected = {"ConfigMap", "NetworkPolicy", "PodDisruptionBudget", "SleepInfo", "Schedule"}
    assert not [d for d in report["drifts"] if d["kind"] in uncollected]
    assert any("not compared" in note for note in report["notes"])
