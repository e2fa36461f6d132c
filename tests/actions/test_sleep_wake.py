"""sleep and wake: kube-green's rules, checked by applying each planned patch to the object."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from costplane.actions import (
    SLEEP_STATE,
    Change,
    Target,
    apply_merge_patch,
    make_action,
    plan_action,
    sleep_state,
)
from tests.actions.conftest import cronjob, deployment, statefulset

NIGHT = dt.datetime(2026, 1, 6, 19, 0, tzinfo=dt.UTC)
MORNING = dt.datetime(2026, 1, 7, 6, 0, tzinfo=dt.UTC)


def _only_change(action: str, obj: dict[str, Any], now: dt.datetime = NIGHT) -> Change:
    plan = plan_action(make_action(action), [Target(obj)], now)
    assert plan.skipped == (), plan.skipped
    (change,) = plan.changes
    return change


def _after(action: str, obj: dict[str, Any], now: dt.datetime = NIGHT) -> dict[str, Any]:
    change = _only_change(action, obj, now)
    result: dict[str, Any] = apply_merge_patch(obj, change.merge_patch)
    return result


def _skip_reason(action: str, obj: dict[str, Any]) -> str:
    plan = plan_action(make_action(action), [Target(obj)], NIGHT)
    assert plan.changes == ()
    (skipped,) = plan.skipped
    return skipped.reason


def test_sleep_then_wake_restores_deployments_and_statefulsets_exactly() -> None:
    for original in (deployment("odoo-web", 3), statefulset("odoo-queue", 2)):
        asleep = _after("sleep", original)
        assert asleep["spec"]["replicas"] == 0
        assert sleep_state(asleep) == {
            "replicas": original["spec"]["replicas"],
            "at": "2026-01-06T19:00:00+00:00",
        }
        awake = _after("wake", asleep, MORNING)
        assert awake["spec"] == original["spec"]
        assert SLEEP_STATE not in awake["metadata"].get("annotations", {})


def test_a_deployment_without_replicas_gets_its_field_back_unset() -> None:
    original = deployment("odoo-web", replicas=None)  # the API default: 1
    asleep = _after("sleep", original)
    assert asleep["spec"]["replicas"] == 0
    awake = _after("wake", asleep, MORNING)
    assert "replicas" not in awake["spec"]


def test_cronjobs_are_suspended_and_their_exact_suspend_field_restored() -> None:
    for suspend in (None, False):
        original = cronjob("odoo-cron", suspend=suspend)
        asleep = _after("sleep", original)
        assert asleep["spec"]["suspend"] is True
        awake = _after("wake", asleep, MORNING)
        assert awake["spec"] == original["spec"]  # kube-green would drop an explicit false


def test_someone_who_scaled_up_at_night_is_left_alone_by_wake() -> None:
    asleep = _after("sleep", deployment("odoo-web", 3))
    asleep["spec"]["replicas"] = 1  # a developer needed it at 22:00
    change = _only_change("wake", asleep, MORNING)
    awake = apply_merge_patch(asleep, change.merge_patch)
    assert awake["spec"]["replicas"] == 1
    assert SLEEP_STATE not in awake["metadata"]["annotations"]
    assert "left at 1" in change.summary
    assert change.merge_patch == {"metadata": {"annotations": {SLEEP_STATE: None}}}


def test_someone_who_resumed_a_cronjob_is_left_alone_by_wake() -> None:
    asleep = _after("sleep", cronjob("odoo-cron"))
    asleep["spec"]["suspend"] = False
    awake = _after("wake", asleep, MORNING)
    assert awake["spec"]["suspend"] is False
    assert SLEEP_STATE not in awake["metadata"]["annotations"]


def test_other_fields_changed_while_asleep_survive_the_wake_up() -> None:
    asleep = _after("sleep", deployment("odoo-web", 3))
    asleep["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example/odoo-web:17.1"
    awake = _after("wake", asleep, MORNING)
    assert awake["spec"]["replicas"] == 3
    assert awake["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":17.1")


def test_what_was_already_stopped_stays_stopped() -> None:
    assert _skip_reason("sleep", deployment("batch", 0)) == "already at 0 replicas"
    assert _skip_reason("sleep", cronjob("paused", suspend=True)) == "already suspended"
    # and wake never starts them: sleep left no state behind
    assert _skip_reason("wake", deployment("batch", 0)) == "not put to sleep by costplane"
    assert _skip_reason("wake", cronjob("paused", suspend=True)) == "not put to sleep by costplane"


def test_sleeping_twice_keeps_the_first_saved_state() -> None:
    asleep = _after("sleep", deployment("odoo-web", 4))
    assert _skip_reason("sleep", asleep) == "already asleep"
    assert sleep_state(asleep)["replicas"] == 4  # type: ignore[index]


def test_opted_out_objects_and_unreadable_state_are_left_alone() -> None:
    opted_out = deployment("demo", 2)
    opted_out["metadata"]["annotations"] = {"costplane.io/sleep": "never"}
    assert "excluded" in _skip_reason("sleep", opted_out)
    garbled = deployment("odoo-web", 0)
    garbled["metadata"]["annotations"] = {SLEEP_STATE: "{not json"}
    assert "unreadable" in _skip_reason("wake", garbled)


def test_other_kinds_are_skipped_with_the_reason() -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "odoo", "namespace": "x"},
    }
    reason = _skip_reason("sleep", service)
    assert reason == "sleep acts on CronJob, Deployment, StatefulSet only"


def test_the_plan_carries_the_money_and_the_before_and_after_of_each_field() -> None:
    target = Target(deployment("odoo-web", 3), Decimal("41.20"), "EUR", "idle at night")
    plan = plan_action(make_action("sleep"), [target], NIGHT)
    (change,) = plan.changes
    assert (change.monthly_amount, change.currency, change.reason) == (
        Decimal("41.20"),
        "EUR",
        "idle at night",
    )
    assert change.before == {
        "metadata": {"annotations": {SLEEP_STATE: None}},
        "spec": {"replicas": 3},
    }
    assert change.after is not None
    assert change.after["spec"] == {"replicas": 0}
    assert json.loads(change.after["metadata"]["annotations"][SLEEP_STATE])["replicas"] == 3
    assert change.summary == "replicas 3 → 0"
    assert plan.monthly_amount == Decimal("41.20")
