"""`annotate`: set annotations on the targets (`--param KEY=VALUE`, repeatable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar, Self

from costplane.actions.change import Change, Skipped, patch_change
from costplane.actions.registry import Action, register_action
from costplane.actions.target import Target
from costplane.errors import InputError


@register_action
class Annotate(Action):
    name = "annotate"
    summary = "set annotations: every --param KEY=VALUE is one annotation"
    parameters: ClassVar[Mapping[str, str]] = {
        "<annotation key>": "the value to set, e.g. costplane.io/owner=team-a"
    }

    def __init__(self, annotations: Mapping[str, str]) -> None:
        self.annotations = dict(annotations)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Self:
        if not params:
            raise InputError("annotate: give at least one --param KEY=VALUE")
        return cls(params)

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        current = target.annotations
        wanted = {k: v for k, v in self.annotations.items() if current.get(k) != v}
        if not wanted:
            return Skipped.of(target, self.name, "already annotated")
        summary = ", ".join(f"{k}={v}" for k, v in sorted(wanted.items()))
        return patch_change(target, self.name, {"metadata": {"annotations": wanted}}, summary)
