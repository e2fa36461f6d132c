"""`act run --gitops DIR` writes only under DIR: a hostile name in a manifest, a link planted
in DIR, a kustomization that is a link, are refused (exit 2, nothing written outside)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from costplane.actions import Target, make_action, plan_action, write_gitops
from costplane.errors import InputError
from tests.actions.conftest import NAMESPACE, RunCli, cronjob, deployment

NOW = dt.datetime(2026, 1, 6, 19, 0, tzinfo=dt.UTC)
ESCAPE = "../../../../../../../../../../../../tmp"


def _manifests(tmp_path: Path, *objects: dict[str, Any]) -> Path:
    directory = tmp_path / "base"
    directory.mkdir(exist_ok=True)
    (directory / "workloads.yaml").write_text("\n---\n".join(json.dumps(o) for o in objects))
    return directory


def _sleep(cli: RunCli, manifests: Path, out: Path, namespace: str = NAMESPACE) -> Any:
    return cli(
        "act", "run", "sleep", "-n", namespace, "--manifests", str(manifests),
        "--gitops", str(out), "-o", "json",
    )  # fmt: skip


def _files(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*"))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("namespace", "{escape}/x"),
        ("namespace", "../outside"),
        ("name", "../../../../outside/web"),
        ("name", "web\nkind: Secret"),
        ("namespace", "Acme-Dev"),
        ("name", "x" * 254),
    ],
)
def test_a_name_kubernetes_would_refuse_is_refused_when_the_manifests_are_read(
    cli: RunCli, tmp_path: Path, field: str, value: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    value = value.format(escape=ESCAPE + str(outside))
    web = deployment("web")
    web["metadata"][field] = value
    manifests = _manifests(tmp_path, web)
    out = tmp_path / "overlay"
    namespace = value if field == "namespace" else NAMESPACE
    result = _sleep(cli, manifests, out, namespace)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()
    assert str(manifests / "workloads.yaml") in line
    assert f"metadata.{field}" in line
    assert _files(outside) == []
    assert not (out / "kustomization.yaml").exists()


def test_a_kind_that_is_not_a_word_is_refused_when_read(cli: RunCli, tmp_path: Path) -> None:
    web = deployment("web")
    web["kind"] = "Deployment/../../../../x"
    result = _sleep(cli, _manifests(tmp_path, web), tmp_path / "overlay")
    assert result.exit_code == 2
    assert "kind" in result.stderr
    assert "workloads.yaml" in result.stderr


def test_rbac_names_with_colons_are_still_read(cli: RunCli, tmp_path: Path) -> None:
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "system:controller:job-controller"},
    }
    result = _sleep(cli, _manifests(tmp_path, role, deployment("web")), tmp_path / "overlay")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "overlay/patches/sleep/acme-dev/deployment-web.yaml").is_file()


def test_a_target_with_a_hostile_namespace_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """Targets can come from a JSON file, not only from manifests: the writer checks too."""
    outside = tmp_path / "outside"
    outside.mkdir()
    hostile = [deployment("web", namespace="../../outside"), deployment("odoo", namespace="..")]
    out = tmp_path / "overlay"
    for obj in hostile:
        targets = [Target(deployment("fine")), Target(obj)]
        plan = plan_action(make_action("sleep"), targets, NOW)
        with pytest.raises(InputError) as error:
            write_gitops(plan, out, targets)
        assert "\n" not in str(error.value)
        assert _files(outside) == []
        assert _files(out) == []  # the good patch was not written either: all checked first


def test_a_link_planted_in_the_directory_is_not_followed(cli: RunCli, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "overlay"
    (out / "patches/sleep").mkdir(parents=True)
    os.symlink(outside, out / "patches/sleep" / NAMESPACE)
    result = _sleep(cli, _manifests(tmp_path, deployment("web"), cronjob("cron")), out)
    assert result.exit_code == 2, result.output
    assert "symbolic link" in result.stderr
    assert _files(outside) == []
    assert not (out / "kustomization.yaml").exists()


def test_a_patch_file_that_is_a_link_is_not_written_through(cli: RunCli, tmp_path: Path) -> None:
    victim = tmp_path / "victim.yaml"
    victim.write_text("precious: true\n")
    out = tmp_path / "overlay"
    (out / "patches/sleep" / NAMESPACE).mkdir(parents=True)
    os.symlink(victim, out / "patches/sleep" / NAMESPACE / "deployment-web.yaml")
    result = _sleep(cli, _manifests(tmp_path, deployment("web")), out)
    assert result.exit_code == 2, result.output
    assert "deployment-web.yaml" in result.stderr
    assert "symbolic link" in result.stderr
    assert victim.read_text() == "precious: true\n"


def test_a_kustomization_that_is_a_link_is_neither_read_nor_written(
    cli: RunCli, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.yaml"
    victim.write_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
    before = victim.read_text()
    out = tmp_path / "overlay"
    out.mkdir()
    os.symlink(victim, out / "kustomization.yaml")
    result = _sleep(cli, _manifests(tmp_path, deployment("web")), out)
    assert result.exit_code == 2, result.output
    assert "kustomization.yaml" in result.stderr
    assert victim.read_text() == before
    assert not (out / "patches").exists()


def test_a_kustomization_hard_linked_elsewhere_is_replaced_not_written_into(
    cli: RunCli, tmp_path: Path
) -> None:
    """A hard link is a regular file: it is replaced by a new file, the other name keeps
    its bytes."""
    other = tmp_path / "other.yaml"
    other.write_text("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n")
    before = other.read_text()
    out = tmp_path / "overlay"
    out.mkdir()
    os.link(other, out / "kustomization.yaml")
    result = _sleep(cli, _manifests(tmp_path, deployment("web")), out)
    assert result.exit_code == 0, result.stderr
    assert "deployment-web.yaml" in (out / "kustomization.yaml").read_text()
    assert other.read_text() == before


def test_a_longest_valid_name_gets_a_patch_file_the_file_system_takes(tmp_path: Path) -> None:
    name = ("a" * 62 + ".") * 3 + "b" * 61  # 253 characters: a valid DNS subdomain
    targets = [Target(deployment(name))]
    plan = plan_action(make_action("sleep"), targets, NOW)
    [patch, kustomization] = write_gitops(plan, tmp_path, targets)
    assert patch.is_file()
    assert len(patch.name) <= 255
    assert patch.name.startswith("deployment-aaa")
    assert patch.parent.name == NAMESPACE
    listed = kustomization.read_text()
    assert patch.relative_to(tmp_path).as_posix() in listed
    assert name in patch.read_text()  # the patch still names the whole object
    again = write_gitops(plan, tmp_path, targets)  # the same file, rewritten in place
    assert again[0] == patch
