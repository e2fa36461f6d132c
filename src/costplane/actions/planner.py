"""Planning: one action over many targets, as a `Plan` of changes and skipped objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from costplane.actions.change import Change, Plan, Skipped
from costplane.actions.registry import Action
from costplane.actions.target import Target


def plan_action(action: Action, targets: Iterable[Target], now: dt.datetime) -> Plan:
    """What `action` would do to each target at `now`; nothing is changed anywhere."""
    changes: list[Change] = []
    skipped: list[Skipped] = []
    for target in targets:
        if target.held:
            skipped.append(Skipped.of(target, action.name, target.held))
            continue
        if target.missing:
            skipped.append(Skipped.of(target, action.name, "not found"))
            continue
        if not action.handles(target):
            kinds = ", ".join(sorted(action.kinds))
            skipped.append(Skipped.of(target, action.name, f"{action.name} acts on {kinds} only"))
            continue
        outcome = action.plan(target, now)
        (changes if isinstance(outcome, Change) else skipped).append(outcome)  # type: ignore[arg-type]
    return Plan(action.name, tuple(changes), tuple(skipped))
