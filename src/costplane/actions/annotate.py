"""`annotate`: set annotations on the targets (`--param KEY=VALUE`, repeatable)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import ClassVar, Self

from pydantic import ConfigDict, Field, model_validator

from costplane.actions.change import Change, Skipped, patch_change
from costplane.actions.registry import Action, ActionOptions, register_action
from costplane.actions.target import Target
from costplane.errors import InputError


class AnnotateOptions(ActionOptions):
    """Every key is an annotation to set, its value the text: the one action whose keys
    are not fixed, so extra keys are allowed here, and must be text."""

    model_config = ConfigDict(extra="allow", frozen=True)
    __pydantic_extra__: dict[str, str] = Field(init=False)

    @model_validator(mode="after")
    def _some(self) -> AnnotateOptions:
        if not self.model_extra:
            raise ValueError("give at least one annotation, KEY: VALUE")
        return self


@register_action
class Annotate(Action):
    name = "annotate"
    summary = "set annotations: every --param KEY=VALUE is one annotation"
    options = AnnotateOptions
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
