"""A policy's actions as written: `{type: NAME, ...params}`, the type checked, params kept.

The actions themselves (dry-run plans, GitOps patches, audited live changes)
live in `costplane.actions`, which validates each type's parameters; the names
are known here so a misspelt action fails when the policy loads.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

ACTION_TYPES: set[str] = {
    "report",
    "notify",
    "annotate",
    "mark-for-op",
    "sleep",
    "wake",
    "delete-snapshot",
    "patch",
}
"""Action types a policy may name; `register_action_type` adds a plug-in's."""


def register_action_type(name: str) -> str:
    ACTION_TYPES.add(name)
    return name


class ActionSpec(BaseModel):
    """One action: its type and whatever parameters it takes."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str = Field(description="report, notify, annotate, mark-for-op, sleep, wake, ...")

    @field_validator("type")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in ACTION_TYPES:
            close = difflib.get_close_matches(name, sorted(ACTION_TYPES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(sorted(ACTION_TYPES))
            raise ValueError(f"unknown action type {name!r}{hint}; known types: {known}")
        return name

    @property
    def params(self) -> dict[str, Any]:
        """Everything but `type`, as written."""
        return dict(self.model_extra or {})
