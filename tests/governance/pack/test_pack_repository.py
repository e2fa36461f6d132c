"""The pack on manifests as a GitOps repository holds them: no `status`, no
`creationTimestamp`, none of what the API server adds. A claim in a repository is bound
once applied and its size is its request, so a claim nothing mounts is found and priced;
and the pack is checked for every other policy that would go blind without `status`."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import govern_manifests

from .scenario import AT, catalog, container, deployment, found, namespace, pvc, write_manifests
from .test_pack_manifests import OBJECTS

SERVER_FIELDS = ("creationTimestamp", "resourceVersion", "uid", "generation", "managedFields")


def as_in_git(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as someone writes it: what the API server adds is gone."""
    metadata = {k: v for k, v in obj["metadata"].items() if k not in SERVER_FIELDS}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": metadata}


def test_a_claim_nothing_mounts_is_found_in_a_repository_with_its_money(tmp_path: Path) -> None:
    objects = [
        namespace("acme-prod", "acme", "production"),
        pvc("acme-prod", "old-files", "50Gi"),
        pvc("acme-prod", "files", "20Gi"),
        deployment("acme-prod", "web", container(), claims=["files"]),
    ]
    directory = write_manifests(tmp_path / "repo", [as_in_git(o) for o in objects])
    assert not any('"status"' in path.read_text() for path in directory.iterdir())
    review = govern_manifests(directory, catalog(), [p.policy for p in pack_policies()], at=AT)
    findings = found(review, "volume-orphaned")
    assert set(findings) == {("PersistentVolumeClaim", "acme-prod", "old-files")}
    claim = findings[("PersistentVolumeClaim", "acme-prod", "old-files")]
    assert claim.rounded_waste == Decimal("5.00")  # 50 GiB requested, standard at 0.10


def test_the_whole_pack_judges_objects_without_status_as_with_it(tmp_path: Path) -> None:
    """The manifest scenario with every `status` removed gives the same findings and money,
    except where only the live object can tell: a Released volume, a finished pod, a
    pending claim (in a repository it is bound once applied), a snapshot's size."""
    policies = [p.policy for p in pack_policies()]

    def judged(objects: list[dict[str, Any]], name: str) -> dict[tuple[str, ...], Any]:
        directory = write_manifests(tmp_path / name, objects)
        review = govern_manifests(directory, catalog(), policies, at=AT)
        return {
            (f.policy, f.resource.kind, f.resource.namespace or "", f.resource.name): (
                f.rounded_waste
            )
            for f in review.findings
        }

    live = judged(OBJECTS, "live")
    in_git = judged([{k: v for k, v in o.items() if k != "status"} for o in OBJECTS], "git")
    only_live = {
        ("volume-orphaned", "PersistentVolume", "", "pvc-released"),
        ("volume-orphaned", "PersistentVolumeClaim", "acme-dev", "by-finished-pod"),
    }
    only_git = {("volume-orphaned", "PersistentVolumeClaim", "acme-dev", "pending")}
    assert set(live) - set(in_git) == only_live
    assert set(in_git) - set(live) == only_git
    stale = ("snapshot-stale", "VolumeSnapshot", "acme-prod", "daily-old")
    assert (live[stale], in_git[stale]) == (Decimal("2.00"), None)  # unknown, not 0
    for key in set(live) & set(in_git) - {stale}:
        assert in_git[key] == live[key], key
