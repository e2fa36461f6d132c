"""Manifests from repositories we have never seen: any field may be missing, null, or of
another type than Kubernetes gives it. The whole pack must judge them without crashing,
whatever it finds (a damaged value is an unreadable value or no finding, never a
traceback)."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from tests.damaged import damaged_objects

from costplane.errors import InputError
from costplane.governance.builtin_pack import pack_policies
from costplane.governance.govern import govern_manifests

from .scenario import AT, catalog
from .test_pack_manifests import OBJECTS

POLICIES = [loaded.policy for loaded in pack_policies()]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(objects=damaged_objects(OBJECTS))
def test_the_pack_judges_damaged_manifests_without_crashing(objects: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        listing = {"apiVersion": "v1", "kind": "List", "items": objects}
        Path(directory, "objects.json").write_text(json.dumps(listing))
        try:
            review = govern_manifests(Path(directory), catalog(), POLICIES, at=AT)
        except InputError as refused:  # a name or kind Kubernetes would refuse, damaged to text
            [line] = str(refused).splitlines()
            assert "objects.json: " in line
            assert "metadata.name" in line or "metadata.namespace" in line or "kind" in line
            return
    assert len(review.results) == len(POLICIES)
    for finding in review.findings:
        assert finding.as_json()["policy"] in {policy.id for policy in POLICIES}


def test_an_autoscaler_naming_its_target_with_a_list_is_no_target(tmp_path: Path) -> None:
    objects = copy.deepcopy(OBJECTS)
    autoscalers = [o for o in objects if o["kind"] == "HorizontalPodAutoscaler"]
    assert autoscalers
    for autoscaler in autoscalers:
        autoscaler["spec"]["scaleTargetRef"]["name"] = ["odoo"]
    listing = {"apiVersion": "v1", "kind": "List", "items": objects}
    (tmp_path / "objects.json").write_text(json.dumps(listing))
    review = govern_manifests(tmp_path, catalog(), POLICIES, at=AT)
    assert not [f for f in review.findings if f.policy == "hpa-beyond-entitlement"]
