"""Actions over manifests from repositories we have never seen: any field may be missing,
null, or of another type than Kubernetes gives it. Every action plans them, in dry-run
and in GitOps mode, without an unexpected error: exit 0, or 2 with a one-line message
for an object it cannot name."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costplane.surfaces.cli.app import app
from tests.actions.conftest import NAMESPACE, cronjob, deployment, snapshot, statefulset
from tests.damaged import ODD_VALUES as DAMAGE
from tests.damaged import damaged_objects

ASLEEP = deployment("asleep", replicas=0)
ASLEEP["metadata"]["annotations"] = {
    "costplane.io/sleep-state": '{"replicas": 2, "at": "2025-03-01T19:00:00+00:00"}',
    "costplane.io/op": "sleep@2025-03-01",
}
OBJECTS = [
    deployment("odoo"),
    ASLEEP,
    statefulset("pg"),
    cronjob("mail", suspend=False),
    snapshot("daily"),
]
ODD_VALUES = [*DAMAGE, "sleep@x,wake@2025-01-01"]  # an op mark that does not read
RUNS = [
    ["sleep"],
    ["wake"],
    ["annotate", "-p", "team=odoo"],
    ["mark-for-op", "-p", "op=sleep", "-p", "days=3"],
    ["delete-snapshot"],
    ["patch", "-p", 'patch={"spec": {"replicas": 1}}'],
    ["report"],
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    objects=damaged_objects(OBJECTS, ODD_VALUES, most=6),
    run=st.sampled_from(RUNS),
    gitops=st.booleans(),
)
def test_every_action_plans_damaged_manifests_without_an_unexpected_error(
    objects: list[dict[str, Any]], run: list[str], gitops: bool
) -> None:
    with tempfile.TemporaryDirectory() as root:
        manifests = Path(root, "manifests")
        manifests.mkdir()
        listing = {"apiVersion": "v1", "kind": "List", "items": objects}
        (manifests / "objects.json").write_text(json.dumps(listing))
        args = ["--home", root, "act", "run", *run, "--manifests", str(manifests)]
        args += ["-n", NAMESPACE, "-o", "json", "--now", "2025-03-05T12:00:00Z"]
        if gitops:
            args += ["--gitops", str(Path(root, "gitops"))]
        result = CliRunner().invoke(app, args)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_an_object_whose_metadata_is_not_a_mapping_is_left_out(tmp_path: Path) -> None:
    objects = copy.deepcopy(OBJECTS)
    objects[0]["metadata"] = "odoo"
    (tmp_path / "objects.json").write_text(json.dumps({"kind": "List", "items": objects}))
    args = ["--home", str(tmp_path), "act", "run", "sleep", "--manifests", str(tmp_path)]
    result = CliRunner().invoke(app, [*args, "-n", NAMESPACE, "-o", "json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert {change["name"] for change in plan["changes"]} == {"pg", "mail"}
