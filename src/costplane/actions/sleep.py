"""`sleep` and `wake`: scale non-production workloads to zero and back (kube-green's rules).

Sleep sets Deployments and StatefulSets to 0 replicas and suspends CronJobs,
saving the exact previous value in the object's own annotation
`costplane.io/sleep-state` (kube-green keeps it in a Secret; an annotation
travels with the object, also through a GitOps patch). Wake restores that
value, and only if the field is still what sleep set: a person who scaled a
Deployment up at night, or resumed a CronJob, is left alone; the saved state
is then just cleared. Objects already at 0 replicas or already suspended are
not touched by sleep, so wake never starts what was stopped before.
Objects annotated `costplane.io/sleep: "never"` are excluded.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from costplane.actions.change import Change, Skipped, patch_change
from costplane.actions.registry import Action, register_action
from costplane.actions.savings import workload_reservation
from costplane.actions.target import Target
from costplane.catalog import PriceSheet

SLEEP_STATE = "costplane.io/sleep-state"
OPT_OUT = "costplane.io/sleep"
SCALED = frozenset({"Deployment", "StatefulSet"})
SUSPENDED = frozenset({"CronJob"})
SLEEPERS = SCALED | SUSPENDED


def sleep_state(obj: Mapping[str, Any]) -> dict[str, Any] | None:
    """The state saved when the object was put to sleep; None if absent or unreadable."""
    metadata = obj.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, Mapping) else None
    raw = annotations.get(SLEEP_STATE) if isinstance(annotations, Mapping) else None
    if raw is None:
        return None
    try:
        state = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _field(kind: str) -> str:
    return "replicas" if kind in SCALED else "suspend"


@register_action
class Sleep(Action):
    name = "sleep"
    summary = "scale Deployments/StatefulSets to 0 and suspend CronJobs, saving their state"
    kinds = SLEEPERS
    namespace_wide = True

    def saving(self, target: Target, prices: PriceSheet) -> Decimal | None:
        """A scaled workload's requests; a CronJob's runs cannot be priced."""
        return workload_reservation(target, prices) if target.kind in SCALED else None

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        if target.annotations.get(OPT_OUT) == "never":
            return Skipped.of(target, self.name, f"excluded ({OPT_OUT}: never)")
        if SLEEP_STATE in target.annotations:
            return Skipped.of(target, self.name, "already asleep")
        field = _field(target.kind)
        current = target.spec.get(field)
        if field == "replicas" and (1 if current is None else current) == 0:
            return Skipped.of(target, self.name, "already at 0 replicas")
        if field == "suspend" and current is True:
            return Skipped.of(target, self.name, "already suspended")
        asleep: Any = 0 if field == "replicas" else True
        state = {field: current, "at": now.astimezone(dt.UTC).isoformat(timespec="seconds")}
        patch = {
            "metadata": {"annotations": {SLEEP_STATE: json.dumps(state, sort_keys=True)}},
            "spec": {field: asleep},
        }
        return patch_change(
            target, self.name, patch, f"{field} {_shown(current)} → {_shown(asleep)}"
        )


@register_action
class Wake(Action):
    name = "wake"
    summary = "restore what sleep saved, unless someone changed the field meanwhile"
    kinds = SLEEPERS
    namespace_wide = True

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        if SLEEP_STATE not in target.annotations:
            return Skipped.of(target, self.name, "not put to sleep by costplane")
        state = sleep_state(target.object)
        field = _field(target.kind)
        if state is None or field not in state:
            return Skipped.of(target, self.name, f"{SLEEP_STATE} unreadable; left alone")
        current = target.spec.get(field)
        asleep: Any = 0 if field == "replicas" else True
        clear = {"metadata": {"annotations": {SLEEP_STATE: None}}}
        if current != asleep:
            summary = f"{field} left at {_shown(current)} (changed while asleep); state cleared"
            return patch_change(target, self.name, clear, summary)
        saved = state[field]
        patch = {**clear, "spec": {field: saved}}
        return patch_change(
            target, self.name, patch, f"{field} {_shown(current)} → {_shown(saved)}"
        )


def _shown(value: Any) -> str:
    return "(unset)" if value is None else json.dumps(value)
