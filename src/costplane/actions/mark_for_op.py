"""`mark-for-op`: schedule a later action on an object by annotating it.

The annotation `costplane.io/op` holds `<action>@<date>` (several separated by
commas): a policy finds the object now, marks it, and a later policy acts once
the date has come (`due_ops`). Marking an object that is already marked for the
same action keeps the first date: a daily run must not push the date forward
for ever (a trap Cloud Custodian's `mark-for-op` users fall into).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from pydantic import Field, field_validator

from costplane.actions.change import Change, Skipped, patch_change
from costplane.actions.registry import (
    Action,
    ActionOptions,
    action_types,
    refuse_unknown,
    register_action,
)
from costplane.actions.target import Target
from costplane.errors import InputError

OP_ANNOTATION = "costplane.io/op"
DEFAULT_DAYS = 7


@dataclass(frozen=True, order=True)
class MarkedOp:
    """An action an object is marked for, and the day from which it is due."""

    date: dt.date
    action: str

    def __str__(self) -> str:
        return f"{self.action}@{self.date.isoformat()}"


def marked_ops(obj: Mapping[str, Any]) -> list[MarkedOp]:
    """The ops an object is marked for; items that do not read as `action@date` are ignored."""
    annotations = Target(obj).annotations
    items = (
        item.strip().rpartition("@") for item in str(annotations.get(OP_ANNOTATION, "")).split(",")
    )
    return [MarkedOp(day, action) for action, _, text in items if action and (day := _day(text))]


def _day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def due_ops(obj: Mapping[str, Any], today: dt.date) -> list[MarkedOp]:
    """The marked ops whose date has come (date on or before `today`), oldest first."""
    return sorted(op for op in marked_ops(obj) if op.date <= today)


class MarkForOpOptions(ActionOptions):
    op: str = Field(description="the action to do later, e.g. delete-snapshot")
    days: int = Field(
        DEFAULT_DAYS, ge=0, description=f"how many days from now it is due (default {DEFAULT_DAYS})"
    )
    date: dt.date | None = Field(
        None, description="the day it is due, YYYY-MM-DD (instead of days)"
    )

    @field_validator("op")
    @classmethod
    def _an_action(cls, op: str) -> str:
        if op not in action_types():
            raise ValueError(f"must name an action, not {op!r}")
        return op


@register_action
class MarkForOp(Action):
    name = "mark-for-op"
    summary = f"annotate {OP_ANNOTATION}: <action>@<date> for a later policy to act on"
    options = MarkForOpOptions

    def __init__(self, op: str, *, days: int = DEFAULT_DAYS, date: dt.date | None = None) -> None:
        self.op = op
        self.days = days
        self.date = date

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Self:
        refuse_unknown(cls, params)
        op = params.get("op", "")
        if op not in action_types():
            raise InputError(f"mark-for-op: --param op= must name an action, not {op!r}")
        try:
            days = int(params.get("days", DEFAULT_DAYS))
            date = dt.date.fromisoformat(params["date"]) if "date" in params else None
        except ValueError as exc:
            raise InputError(f"mark-for-op: days or date: {exc}") from exc
        if days < 0:
            raise InputError("mark-for-op: days must not be negative")
        return cls(op, days=days, date=date)

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        ops = marked_ops(target.object)
        already = next((op for op in ops if op.action == self.op), None)
        if already is not None:
            return Skipped.of(target, self.name, f"already marked {already}")
        due = self.date or (now.date() + dt.timedelta(days=self.days))
        value = ",".join(str(op) for op in [*ops, MarkedOp(due, self.op)])
        patch = {"metadata": {"annotations": {OP_ANNOTATION: value}}}
        return patch_change(target, self.name, patch, f"{self.op} due {due.isoformat()}")
