"""A policy's actions as written, `{type: NAME, ...options}`, and their check against the
actions' own vocabulary.

The actions (dry-run plans, GitOps patches, audited live changes) live in
`costplane.actions`, which governance does not import. Whoever loads policies to act
on them passes that vocabulary in, each action type's options model by name
(`costplane.actions.action_options()`): a misspelt type, an option the type does not
take or an option of the wrong type is then a problem at its line, like any other.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

ActionVocabulary = Mapping[str, type[BaseModel]]
"""Each action type's options model, by the name a policy gives as `type`."""


class ActionSpec(BaseModel):
    """One action: its type and its options, checked against an `ActionVocabulary`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    type: str = Field(description="report, notify, annotate, mark-for-op, sleep, wake, ...")

    @property
    def params(self) -> dict[str, Any]:
        """Everything but `type`, as written."""
        return dict(self.model_extra or {})


def action_errors(written: object, vocabulary: ActionVocabulary) -> list[ErrorDetails]:
    """What is wrong with a policy's `actions` as written, each at its place under
    `actions`; read even when the rest of the policy is wrong, so every problem shows.
    Actions that are not `{type: NAME, ...}` are left to the policy's own model."""
    errors: list[ErrorDetails] = []
    items = written if isinstance(written, list) else []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        action = ActionSpec.model_validate(item)
        options = vocabulary.get(action.type)
        if options is None:
            message = _unknown_type(action.type, sorted(vocabulary))
            errors.append(
                ErrorDetails(
                    type="policy",
                    loc=("actions", index, "type"),
                    msg=message,
                    input=action.type,
                    ctx={"message": message},
                )
            )
            continue
        try:
            options.model_validate(action.params)
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                errors.append({**error, "loc": ("actions", index, *error["loc"])})
    return errors


def _unknown_type(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown action type {name!r}{hint}; known types: {', '.join(known)}"
