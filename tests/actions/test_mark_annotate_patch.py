"""mark-for-op and its due dates; annotate, patch, delete-snapshot, report; the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar

import pytest

from costplane.actions import (
    OP_ANNOTATION,
    Action,
    Change,
    MarkedOp,
    Skipped,
    Target,
    action_types,
    apply_merge_patch,
    due_ops,
    make_action,
    marked_ops,
    plan_action,
    register_action,
    registry,
)
from costplane.actions.change import patch_change
from costplane.actions.patch import read_patch
from costplane.errors import InputError
from tests.actions.conftest import deployment, snapshot

NOW = dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC)


def _apply(action: Action, obj: dict[str, Any], now: dt.datetime = NOW) -> dict[str, Any]:
    plan = plan_action(action, [Target(obj)], now)
    (change,) = plan.changes
    result: dict[str, Any] = apply_merge_patch(obj, change.merge_patch)
    return result


def test_mark_for_op_writes_the_op_and_its_date() -> None:
    marked = _apply(
        make_action("mark-for-op", {"op": "delete-snapshot", "days": "14"}), snapshot("s1")
    )
    assert marked["metadata"]["annotations"][OP_ANNOTATION] == "delete-snapshot@2026-01-20"
    assert marked_ops(marked) == [MarkedOp(dt.date(2026, 1, 20), "delete-snapshot")]


def test_a_marked_op_is_due_from_its_date_on() -> None:
    marked = _apply(
        make_action("mark-for-op", {"op": "sleep", "date": "2026-02-01"}), deployment("w")
    )
    assert due_ops(marked, dt.date(2026, 1, 31)) == []
    assert due_ops(marked, dt.date(2026, 2, 1)) == [MarkedOp(dt.date(2026, 2, 1), "sleep")]
    assert due_ops(marked, dt.date(2026, 3, 1)) == [MarkedOp(dt.date(2026, 2, 1), "sleep")]


def test_marking_again_never_postpones_the_date() -> None:
    first = _apply(
        make_action("mark-for-op", {"op": "delete-snapshot", "days": "7"}), snapshot("s1")
    )
    a_week_later = NOW + dt.timedelta(days=7)
    plan = plan_action(
        make_action("mark-for-op", {"op": "delete-snapshot", "days": "7"}),
        [Target(first)],
        a_week_later,
    )
    assert plan.changes == ()
    assert plan.skipped[0].reason == "already marked delete-snapshot@2026-01-13"
    assert [op.action for op in due_ops(first, a_week_later.date())] == ["delete-snapshot"]


def test_several_ops_share_the_annotation_and_garbage_is_ignored() -> None:
    obj = deployment("w")
    obj["metadata"]["annotations"] = {OP_ANNOTATION: "sleep@2026-01-10, nonsense, patch@soon"}
    marked = _apply(make_action("mark-for-op", {"op": "annotate", "days": "0"}), obj)
    assert (
        marked["metadata"]["annotations"][OP_ANNOTATION] == "sleep@2026-01-10,annotate@2026-01-06"
    )
    assert due_ops(marked, dt.date(2026, 1, 10)) == [
        MarkedOp(dt.date(2026, 1, 6), "annotate"),
        MarkedOp(dt.date(2026, 1, 10), "sleep"),
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"op": "delete-everything"}, "must name an action"),
        ({"op": "sleep", "days": "soon"}, "days or date"),
        ({"op": "sleep", "days": "-1"}, "must not be negative"),
        ({"op": "sleep", "when": "x"}, "unknown parameter when"),
    ],
)
def test_bad_mark_for_op_parameters_are_input_errors(params: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_action("mark-for-op", params)


def test_annotate_sets_only_what_differs() -> None:
    action = make_action("annotate", {"costplane.io/owner": "team-erp", "team": "erp"})
    obj = deployment("w")
    obj["metadata"]["annotations"] = {"team": "erp", "keep": "me"}
    (change,) = plan_action(action, [Target(obj)], NOW).changes
    assert change.merge_patch == {"metadata": {"annotations": {"costplane.io/owner": "team-erp"}}}
    annotated = apply_merge_patch(obj, change.merge_patch)
    assert annotated["metadata"]["annotations"] == {
        "team": "erp",
        "keep": "me",
        "costplane.io/owner": "team-erp",
    }
    assert plan_action(action, [Target(annotated)], NOW).skipped[0].reason == "already annotated"


def test_patch_applies_the_users_merge_patch_and_refuses_renames(tmp_path: Any) -> None:
    limits = tmp_path / "limits.yaml"
    limits.write_text("spec:\n  template:\n    spec:\n      priorityClassName: low\n")
    action = make_action("patch", {"patch": f"@{limits}"})
    patched = _apply(action, deployment("w"))
    assert patched["spec"]["template"]["spec"]["priorityClassName"] == "low"
    assert (
        plan_action(action, [Target(patched)], NOW).skipped[0].reason == "already as the patch says"
    )
    with pytest.raises(InputError, match=r"may not change metadata\.name"):
        make_action("patch", {"patch": '{"metadata": {"name": "other"}}'})
    with pytest.raises(InputError, match="non-empty JSON object"):
        make_action("patch", {"patch": "[1, 2]"})
    with pytest.raises(InputError, match="cannot read the patch"):
        make_action("patch", {"patch": f"@{tmp_path / 'missing.json'}"})


def test_delete_snapshot_plans_a_delete_that_keeps_the_object_for_the_record() -> None:
    (change,) = plan_action(make_action("delete-snapshot"), [Target(snapshot("s1"))], NOW).changes
    assert change.is_delete
    assert change.before is not None
    assert change.before["spec"] == {"source": {"persistentVolumeClaimName": "odoo-filestore"}}
    assert "status" not in change.before
    assert change.after is None
    gone = snapshot("s2")
    gone["metadata"]["deletionTimestamp"] = "2026-01-06T08:00:00Z"
    assert (
        plan_action(make_action("delete-snapshot"), [Target(gone)], NOW).skipped[0].reason
        == "already being deleted"
    )
    assert plan_action(make_action("delete-snapshot"), [Target(deployment("w"))], NOW).changes == ()


def test_report_changes_nothing_but_lists_the_money() -> None:
    (change,) = plan_action(
        make_action("report"), [Target(deployment("w"), reason="idle")], NOW
    ).changes
    assert change.patch is None
    assert change.summary == "idle"


def test_users_register_their_own_action_types(monkeypatch: pytest.MonkeyPatch) -> None:
    # The registry is the process's: the type registered here leaves with the test.
    monkeypatch.setattr(registry, "_ACTIONS", dict(registry._ACTIONS))

    @register_action
    class Label(Action):
        name = "test-label-owner"
        summary = "label the owner"
        parameters: ClassVar[Mapping[str, str]] = {}

        def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
            return patch_change(
                target, self.name, {"metadata": {"labels": {"owner": "platform"}}}, "owner"
            )

    assert "test-label-owner" in action_types()
    labelled = _apply(make_action("test-label-owner"), deployment("w"))
    assert labelled["metadata"]["labels"] == {"app": "w", "owner": "platform"}
    with pytest.raises(InputError, match="unknown parameter"):
        make_action("test-label-owner", {"x": "1"})
    with pytest.raises(ValueError, match="already registered"):

        @register_action
        class Clash(Label):
            pass


def test_an_unknown_action_names_the_known_ones() -> None:
    with pytest.raises(
        InputError, match="unknown action 'hibernate'; known: annotate, delete-snapshot"
    ):
        make_action("hibernate")


def test_a_patch_with_an_unquoted_date_is_an_input_error() -> None:
    with pytest.raises(InputError, match="--param patch: only JSON values, quote dates"):
        read_patch('{"metadata": {"annotations": {"until": 2026-01-01}}}')
    assert read_patch('{"metadata": {"annotations": {"until": "2026-01-01"}}}') == {
        "metadata": {"annotations": {"until": "2026-01-01"}}
    }
