"""`patch`: apply a merge patch the user gives (`--param patch=JSON` or `patch=@FILE`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Self

from pydantic import Field, field_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from costplane.actions.change import Change, Skipped, patch_change
from costplane.actions.merge_patch import apply_merge_patch, leaves
from costplane.actions.registry import Action, ActionOptions, refuse_unknown, register_action
from costplane.actions.target import Target
from costplane.errors import InputError
from costplane.parse_bounds import DocumentTooLargeError
from costplane.yaml_source import bounded

_IDENTITY = (("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace"))


class PatchOptions(ActionOptions):
    patch: dict[str, Any] | str = Field(
        description="the merge patch as JSON, or @FILE (JSON or YAML)"
    )

    @field_validator("patch", mode="before")
    @classmethod
    def _mapping_or_text(cls, patch: object) -> object:
        if not isinstance(patch, dict | str):
            raise ValueError("expected the merge patch as a mapping, JSON text or @FILE")
        return patch


@register_action
class Patch(Action):
    name = "patch"
    summary = "apply a JSON merge patch (RFC 7386) given as JSON or YAML"
    options = PatchOptions

    def __init__(self, patch: Mapping[str, Any]) -> None:
        self.patch = dict(patch)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Self:
        refuse_unknown(cls, params)
        if "patch" not in params:
            raise InputError("patch: give the merge patch as --param patch=JSON or patch=@FILE")
        return cls(read_patch(params["patch"]))

    def plan(self, target: Target, now: dt.datetime) -> Change | Skipped:
        if apply_merge_patch(target.object, self.patch) == dict(target.object):
            return Skipped.of(target, self.name, "already as the patch says")
        summary = ", ".join(".".join(path) for path in leaves(self.patch))
        return patch_change(target, self.name, self.patch, f"set {summary}")


def read_patch(text: str) -> dict[str, Any]:
    """A merge patch from JSON text or @FILE; it may not rename or move the object."""
    where = "--param patch"
    if text.startswith("@"):
        path = Path(text[1:])
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read the patch: {exc.strerror}") from exc
    try:
        document = bounded(YAML(typ="safe", pure=True)).load(text)  # JSON is YAML
    except YAMLError as exc:
        raise InputError(f"{where}: not JSON or YAML: {getattr(exc, 'problem', exc)}") from exc
    except DocumentTooLargeError as exc:
        raise InputError(f"{where}:{exc.line}:{exc.column}: {exc}") from None
    if not isinstance(document, dict) or not document:
        raise InputError(f"{where}: a merge patch is a non-empty JSON object")
    for field in _IDENTITY:
        if _touches(document, field):
            raise InputError(f"{where}: a patch may not change {'.'.join(field)}")
    try:
        plain: dict[str, Any] = json.loads(json.dumps(document))  # plain JSON types only
    except TypeError as exc:  # YAML read an unquoted date or time
        raise InputError(f"{where}: only JSON values, quote dates and times ({exc})") from exc
    return plain


def _touches(document: Mapping[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = document
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return False
        node = node[key]
    return True
