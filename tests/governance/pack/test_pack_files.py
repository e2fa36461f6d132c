"""The pack's files: the stable ids, each with a severity, its money and its fix; the fleet's
planted kinds all covered; the documentation lists every policy."""

from __future__ import annotations

from pathlib import Path

from costplane.governance.builtin_pack import PACK_DIR, pack_policies, policies_with_pack
from costplane_fleet import PLANTED_KINDS

STABLE_IDS = {
    "labels-missing",
    "quota-missing",
    "limits-missing",
    "requests-oversized",
    "image-tag-mutable",
    "nonprod-idle",
    "nonprod-no-sleep-schedule",
    "snapshot-stale",
    "volume-orphaned",
    "pvc-oversized",
    "log-retention-exceeds-class",
    "backup-older-than-rpo",
    "restore-unverified",
    "backup-not-isolated",
    "redis-maxmemory-unset",
    "redis-evicting",
    "database-over-band",
    "database-unused-indexes",
    "odoo-attachments-in-database",
    "odoo-failed-mail-backlog",
    "ingress-no-tls",
    "ingress-no-rate-limit",
    "hpa-beyond-entitlement",
    "quota-beyond-entitlement",
    "cluster-idle-capacity",
}
WASTE = {
    "requests-oversized",
    "nonprod-idle",
    "nonprod-no-sleep-schedule",
    "snapshot-stale",
    "volume-orphaned",
    "pvc-oversized",
    "log-retention-exceeds-class",
    "database-over-band",
    "database-unused-indexes",
    "odoo-attachments-in-database",
    "hpa-beyond-entitlement",
    "quota-beyond-entitlement",
    "cluster-idle-capacity",
}
DOCS = Path(__file__).resolve().parents[3] / "docs" / "governance.md"


def test_the_pack_has_the_stable_ids_one_file_each() -> None:
    loaded = pack_policies()
    assert {item.policy.id for item in loaded} == STABLE_IDS
    assert {Path(item.file).name for item in loaded} == {f"{i}.yaml" for i in STABLE_IDS}


def test_every_planted_kind_has_its_policy() -> None:
    assert set(PLANTED_KINDS) <= STABLE_IDS


def test_each_policy_states_its_money_and_its_fix() -> None:
    for item in pack_policies():
        policy = item.policy
        assert policy.description, policy.id
        assert policy.filters, policy.id
        assert len(policy.fix.split()) >= 5, policy.id  # a sentence, not a placeholder
        assert policy.savings.is_zero is (policy.id not in WASTE), policy.id
        assert [action.type for action in policy.actions] == ["report"], policy.id


def test_a_users_policy_replaces_the_pack_policy_with_its_id(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "id: image-tag-mutable\n"
        "description: only latest counts here\n"
        "resource: Deployment\n"
        "severity: critical\n"
        "filters:\n"
        "  - {key: 'spec.template.spec.containers[*].image', op: regex, value: ':latest$'}\n"
    )
    loaded = policies_with_pack([tmp_path])
    mine = [item for item in loaded if item.policy.id == "image-tag-mutable"]
    assert len(mine) == 1
    assert mine[0].policy.severity == "critical"
    assert len(loaded) == len(STABLE_IDS)
    assert [item.policy.id for item in policies_with_pack([tmp_path], include_pack=False)] == [
        "image-tag-mutable"
    ]


def test_the_pack_directory_holds_only_policies() -> None:
    names = {path.name for path in PACK_DIR.iterdir()}
    assert names == {f"{i}.yaml" for i in STABLE_IDS}


def test_the_documentation_lists_every_policy() -> None:
    text = DOCS.read_text()
    for policy_id in STABLE_IDS:
        assert f"`{policy_id}`" in text, policy_id
