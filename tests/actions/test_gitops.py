"""GitOps mode: patch files and the kustomization, checked by applying each patch to its object."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from costplane.actions import Target, apply_merge_patch, make_action, plan_action, write_gitops
from tests.actions.conftest import cronjob, deployment, snapshot
from tests.kubeapi import json_patch

NOW = dt.datetime(2026, 1, 6, 19, 0, tzinfo=dt.UTC)
IDENTITY = ("apiVersion", "kind")


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text())


def _as_merge_patch(document: dict[str, Any]) -> dict[str, Any]:
    """A partial-object patch file minus what only identifies the target."""
    patch = {k: v for k, v in document.items() if k not in IDENTITY}
    metadata = {k: v for k, v in patch["metadata"].items() if k not in ("name", "namespace")}
    if metadata:
        patch["metadata"] = metadata
    else:
        del patch["metadata"]
    return patch


def test_sleep_is_written_as_one_patch_per_resource_and_listed_with_its_target(
    tmp_path: Path,
) -> None:
    objects = [deployment("odoo-web", 3), cronjob("odoo-cron")]
    targets = [Target(o) for o in objects]
    plan = plan_action(make_action("sleep"), targets, NOW)
    written = write_gitops(plan, tmp_path, targets)

    web = tmp_path / "patches/sleep/acme-dev/deployment-odoo-web.yaml"
    cron = tmp_path / "patches/sleep/acme-dev/cronjob-odoo-cron.yaml"
    assert written == [web, cron, tmp_path / "kustomization.yaml"]
    kustomization = _load(tmp_path / "kustomization.yaml")
    assert kustomization["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert kustomization["kind"] == "Kustomization"
    assert kustomization["patches"] == [
        {
            "path": "patches/sleep/acme-dev/deployment-odoo-web.yaml",
            "target": {
                "group": "apps",
                "version": "v1",
                "kind": "Deployment",
                "namespace": "acme-dev",
                "name": "odoo-web",
            },
        },
        {
            "path": "patches/sleep/acme-dev/cronjob-odoo-cron.yaml",
            "target": {
                "group": "batch",
                "version": "v1",
                "kind": "CronJob",
                "namespace": "acme-dev",
                "name": "odoo-cron",
            },
        },
    ]
    for path, original in ((web, objects[0]), (cron, objects[1])):
        document = _load(path)
        assert (document["apiVersion"], document["kind"]) == (
            original["apiVersion"],
            original["kind"],
        )
        assert document["metadata"]["name"] == original["metadata"]["name"]
        assert document["metadata"]["namespace"] == "acme-dev"
        patched = apply_merge_patch(original, _as_merge_patch(document))
        assert patched == apply_merge_patch(
            original,
            next(c for c in plan.changes if c.name == original["metadata"]["name"]).merge_patch,
        )
    assert apply_merge_patch(objects[0], _as_merge_patch(_load(web)))["spec"]["replicas"] == 0
    assert apply_merge_patch(objects[1], _as_merge_patch(_load(cron)))["spec"]["suspend"] is True


def test_a_patch_that_sets_a_list_is_written_as_json_patch_operations(tmp_path: Path) -> None:
    original = deployment("odoo-web", 2)
    original["spec"]["template"]["spec"]["tolerations"] = [{"key": "spot", "operator": "Exists"}]
    users_patch = (
        '{"spec": {"template": {"spec": {"tolerations": [{"key": "nonprod", "operator": "Exists"}],'
        ' "priorityClassName": "low"}}, "paused": null}}'
    )
    targets = [Target(original)]
    plan = plan_action(make_action("patch", {"patch": users_patch}), targets, NOW)
    write_gitops(plan, tmp_path, targets)
    operations = _load(tmp_path / "patches/patch/acme-dev/deployment-odoo-web.yaml")
    assert isinstance(operations, list)  # RFC 6902: Kustomize replaces the list, not merges it
    expected = apply_merge_patch(original, plan.changes[0].merge_patch)
    assert json_patch(original, operations) == expected
    assert expected["spec"]["template"]["spec"]["tolerations"] == [
        {"key": "nonprod", "operator": "Exists"}
    ]


def test_a_snapshot_delete_is_a_delete_patch(tmp_path: Path) -> None:
    targets = [Target(snapshot("odoo-data-2025-03-01"))]
    write_gitops(plan_action(make_action("delete-snapshot"), targets, NOW), tmp_path, targets)
    document = _load(
        tmp_path / "patches/delete-snapshot/acme-dev/volumesnapshot-odoo-data-2025-03-01.yaml"
    )
    assert document == {
        "$patch": "delete",
        "apiVersion": "snapshot.storage.k8s.io/v1",
        "kind": "VolumeSnapshot",
        "metadata": {"name": "odoo-data-2025-03-01", "namespace": "acme-dev"},
    }
    entry = _load(tmp_path / "kustomization.yaml")["patches"][0]
    assert entry["target"]["group"] == "snapshot.storage.k8s.io"


def test_an_existing_kustomization_keeps_its_content_and_comments(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text(
        "# acme dev overlay\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\n"
        "kind: Kustomization\n"
        "resources:\n"
        "  - ../../base  # the shared base\n"
        "patches:\n"
        "  - path: replicas.yaml\n"
    )
    targets = [Target(deployment("odoo-web", 3))]
    plan = plan_action(make_action("sleep"), targets, NOW)
    write_gitops(plan, tmp_path, targets)
    write_gitops(plan, tmp_path, targets)  # a second run replaces its entry, no duplicate
    text = (tmp_path / "kustomization.yaml").read_text()
    assert text.startswith("# acme dev overlay\n")
    assert "# the shared base" in text
    document = _load(tmp_path / "kustomization.yaml")
    assert document["resources"] == ["../../base"]
    assert [p["path"] for p in document["patches"]] == [
        "replicas.yaml",
        "patches/sleep/acme-dev/deployment-odoo-web.yaml",
    ]


def test_nothing_is_written_when_nothing_changes(tmp_path: Path) -> None:
    targets = [Target(deployment("batch", 0))]
    assert (
        write_gitops(plan_action(make_action("sleep"), targets, NOW), tmp_path / "out", targets)
        == []
    )
    assert not (tmp_path / "out" / "kustomization.yaml").exists()


def _render(base: dict[str, Any], folder: Path) -> dict[str, Any]:
    """The object as Kustomize renders the overlay: every listed patch, in list order."""
    rendered = base
    for entry in _load(folder / "kustomization.yaml")["patches"]:
        rendered = apply_merge_patch(rendered, _as_merge_patch(_load(folder / entry["path"])))
    return rendered


def test_a_second_sleep_after_a_wake_sleeps_again(tmp_path: Path) -> None:
    base = deployment("odoo-web", 3)
    for action, replicas in (("sleep", 0), ("wake", 3), ("sleep", 0), ("wake", 3)):
        target = Target(
            _render(base, tmp_path) if (tmp_path / "kustomization.yaml").exists() else base
        )
        write_gitops(plan_action(make_action(action), [target], NOW), tmp_path, [target])
        assert _render(base, tmp_path)["spec"]["replicas"] == replicas, action
    paths = [entry["path"] for entry in _load(tmp_path / "kustomization.yaml")["patches"]]
    assert paths == [
        "patches/sleep/acme-dev/deployment-odoo-web.yaml",
        "patches/wake/acme-dev/deployment-odoo-web.yaml",
    ]
