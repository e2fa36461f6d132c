"""The manifest path: a GitOps repository's files, or a `kubectl get -o json` export."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from costplane.errors import InputError
from costplane.sources.kubernetes import collect_manifests
from costplane.warehouse.columnar import ObjectColumns
from tests.sources.kubernetes.conftest import LABELS, ODOO_TENANT, pod


def rows_of(collected: Any) -> dict[tuple[str, str], dict[str, Any]]:
    load, _ = collected.loads
    return {(r["kind"], r["name"]): r for r in load.data.to_pylist()}


def test_the_odoo_tenant_is_read_with_its_tenant_environment_and_class() -> None:
    collected = collect_manifests(ODOO_TENANT, LABELS, cluster="shared-eu-1")

    load, columns = collected.loads
    assert (load.table, load.source, load.scope) == (
        "inventory_snapshots",
        "kubernetes",
        "shared-eu-1",
    )
    assert load.period_start == load.period_end  # a snapshot: one instant
    # the same objects as columns per kind, under the same key: replaced together
    assert columns.table == "inventory_columns"
    assert columns.key[1:] == load.key[1:]
    per_kind = dict(zip(columns.data["kind"].to_pylist(), columns.data["objects"].to_pylist(),
                        strict=True))  # fmt: skip
    assert per_kind == Counter(load.data["kind"].to_pylist())
    for row in columns.data.to_pylist():
        kind_texts = [r["object"] for r in load.data.to_pylist() if r["kind"] == row["kind"]]
        assert ObjectColumns(row["doc"], row["texts"]).objects().to_pylist() == kind_texts
    rows = rows_of(collected)
    assert set(rows) == {
        ("Namespace", "baltic-foods-prod"),
        ("Deployment", "odoo"),
        ("CronJob", "edi-import"),
        ("PersistentVolumeClaim", "odoo-filestore"),
        ("Service", "edi-sftp"),
        ("IngressRoute", "odoo"),
        ("Middleware", "odoo-ratelimit"),
        ("ResourceQuota", "compute"),
        ("LimitRange", "defaults"),
        ("HorizontalPodAutoscaler", "odoo"),
    }
    for row in rows.values():
        assert (row["tenant"], row["environment"], row["service_class"]) == (
            "baltic-foods",
            "production",
            "shared-plus",
        )
    assert collected.summary["ignored"] == {"ConfigMap": 1, "Service": 1}  # ClusterIP odoo
    assert collected.summary["tenants"] == ["baltic-foods"]
    assert collected.summary["files"] == 6
    assert collected.missing == ()

    odoo = json.loads(rows[("Deployment", "odoo")]["object"])
    container = odoo["spec"]["template"]["spec"]["containers"][0]
    assert "--workers=4" in container["args"]
    assert container["resources"]["limits"]["memory"] == "3328Mi"
    middleware = json.loads(rows[("Middleware", "odoo-ratelimit")]["object"])
    assert middleware["spec"]["rateLimit"] == {
        "average": 50,
        "period": "1s",
        "burst": 150,
        "sourceCriterion": {"ipStrategy": {"depth": 1}},
    }
    route = json.loads(rows[("IngressRoute", "odoo")]["object"])
    assert [m["name"] for r in route["spec"]["routes"] for m in r["middlewares"]] == [
        "odoo-ratelimit",
        "odoo-ratelimit",
    ]
    hpa = json.loads(rows[("HorizontalPodAutoscaler", "odoo")]["object"])
    assert hpa["spec"]["scaleTargetRef"]["name"] == "odoo"
    cron = json.loads(rows[("CronJob", "edi-import")]["object"])
    assert cron["spec"]["schedule"] == "*/15 6-20 * * 1-6"


def test_a_kubectl_json_export_and_secrets_in_the_repository(tmp_path: Path) -> None:
    shutil.copytree(ODOO_TENANT, tmp_path / "repo")
    export = {
        "apiVersion": "v1",
        "kind": "PodList",
        "metadata": {"resourceVersion": "81234"},
        "items": [
            {k: v for k, v in pod("baltic-foods-prod", f"odoo-{i}", "n1").items() if k != "kind"}
            for i in range(3)
        ],
    }
    (tmp_path / "repo" / "pods.json").write_text(json.dumps(export))
    (tmp_path / "repo" / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: odoo-db\n"
        "  namespace: baltic-foods-prod\nstringData:\n  password: s3cr3t-db-pass\n"
    )
    collected = collect_manifests(tmp_path / "repo", LABELS)

    kinds = Counter(kind for kind, _ in rows_of(collected))
    assert kinds["Pod"] == 3  # PodList items get their kind back
    assert collected.summary["cluster"] == "repo"  # the directory's name by default
    assert collected.summary["ignored"]["Secret"] == 1
    load, columns = collected.loads
    assert not any("s3cr3t-db-pass" in text for text in load.data["object"].to_pylist())
    for row in columns.data.to_pylist():  # the columns are made of the redacted texts
        texts = ObjectColumns(row["doc"], row["texts"]).objects().to_pylist()
        assert not any("s3cr3t-db-pass" in text for text in texts)
    assert "Secret" not in load.data["kind"].to_pylist()


def test_unquoted_timestamps_stay_strings(tmp_path: Path) -> None:
    (tmp_path / "backup.yaml").write_text(
        "apiVersion: velero.io/v1\nkind: Backup\nmetadata:\n  name: nightly\n"
        "  namespace: velero\nstatus:\n  phase: Completed\n"
        "  completionTimestamp: 2025-01-05T02:04:41Z\n"
    )
    rows = rows_of(collect_manifests(tmp_path, LABELS))
    backup = json.loads(rows[("Backup", "nightly")]["object"])
    assert backup["status"]["completionTimestamp"] == "2025-01-05T02:04:41Z"


def test_a_backup_storage_location_in_a_repository_is_kept(tmp_path: Path) -> None:
    (tmp_path / "velero.yaml").write_text(
        "apiVersion: velero.io/v1\nkind: BackupStorageLocation\nmetadata:\n"
        "  name: default\n  namespace: velero\nspec:\n  provider: aws\n"
        "  objectStorage:\n    bucket: velero-fra1\n  config:\n    region: eu-central-1\n"
    )
    collected = collect_manifests(tmp_path, LABELS)
    location = json.loads(rows_of(collected)[("BackupStorageLocation", "default")]["object"])
    assert location["spec"]["objectStorage"]["bucket"] == "velero-fra1"
    assert collected.summary["kinds"] == {"BackupStorageLocation": 1}


def test_a_broken_file_is_named_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text((ODOO_TENANT / "namespace.yaml").read_text())
    (tmp_path / "broken.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: odoo\n   labels: [\n"
    )
    with pytest.raises(InputError, match=r"broken\.yaml:\d+:\d+: invalid YAML"):
        collect_manifests(tmp_path, LABELS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("kind: [Deployment]\n", r"list\.yaml: not a Kubernetes object or list"),
        (
            "kind: List\nitems:\n  - {kind: Pod, metadata: {name: a}}\n  - 5\n",
            r"list\.yaml: items\[1\]: not a Kubernetes object",
        ),
        ("kind: List\nitems: {a: 1}\n", r"list\.yaml: the items of a List must be a list"),
    ],
)
def test_a_document_that_is_not_an_object_is_named(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "list.yaml").write_text(text)
    with pytest.raises(InputError, match=message):
        collect_manifests(tmp_path, LABELS)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ("{name: odoo, namespace: [a]}", r"Deployment odoo: metadata\.namespace must be text"),
        (
            "{name: odoo, namespace: a, labels: [x]}",
            r"Deployment a/odoo: metadata\.labels must be a",
        ),
        ("{name: odoo, namespace: a, labels: {team: 5}}", r"metadata\.labels\.team must be text"),
        ("{name: odoo, namespace: a, annotations: x}", r"metadata\.annotations must be a mapping"),
    ],
)
def test_an_object_whose_identity_is_not_text_is_refused(
    tmp_path: Path, metadata: str, message: str
) -> None:
    (tmp_path / "odoo.yaml").write_text(
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {metadata}\n"
    )
    with pytest.raises(InputError, match=message) as error:
        collect_manifests(tmp_path, LABELS)
    assert "odoo.yaml: Deployment " in str(error.value)


def test_a_service_whose_spec_is_not_a_mapping_is_not_a_load_balancer(tmp_path: Path) -> None:
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: x\n"
    )
    collected = collect_manifests(tmp_path, LABELS)
    assert collected.summary["kinds"] == {}


def test_an_object_without_a_name_is_refused(tmp_path: Path) -> None:
    (tmp_path / "quota.yaml").write_text(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata:\n  namespace: a\nspec: {}\n"
    )
    with pytest.raises(InputError, match=r"quota\.yaml: a ResourceQuota without metadata\.name"):
        collect_manifests(tmp_path, LABELS)


def test_inline_env_values_and_the_last_applied_copy_never_reach_the_warehouse(
    tmp_path: Path,
) -> None:
    container = {
        "name": "odoo",
        "image": "odoo:18.0",
        "env": [
            {"name": "PGPASSWORD", "value": "S3cretPgPassword"},
            {"name": "AWS_KEY", "valueFrom": {"secretKeyRef": {"name": "s3", "key": "key"}}},
        ],
        "resources": {"requests": {"cpu": "500m"}},
    }
    cronjob = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": "export",
            "namespace": "acme-prod",
            "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": '{"S3cretPgPassword": 1}',
                "team": "erp",
            },
        },
        "spec": {
            "schedule": "0 2 * * *",
            "jobTemplate": {"spec": {"template": {"spec": {"initContainers": [container]}}}},
        },
    }
    (tmp_path / "cron.json").write_text(json.dumps(cronjob))
    (tmp_path / "pod.json").write_text(
        json.dumps(pod("acme-prod", "odoo-1", "node-1") | {"spec": {"containers": [container]}})
    )
    rows = rows_of(collect_manifests(tmp_path, LABELS))
    assert all("S3cretPgPassword" not in row["object"] for row in rows.values())
    stored = json.loads(rows[("CronJob", "export")]["object"])
    spec = stored["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]
    assert spec["env"][0] == {"name": "PGPASSWORD", "value": "***"}
    assert spec["env"][1]["valueFrom"] == {"secretKeyRef": {"name": "s3", "key": "key"}}
    assert spec["resources"] == {"requests": {"cpu": "500m"}}
    assert stored["metadata"]["annotations"] == {"team": "erp"}
    assert cronjob["metadata"]["annotations"]["team"] == "erp"  # the input is not changed
    assert len(cronjob["metadata"]["annotations"]) == 2
