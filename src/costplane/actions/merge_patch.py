"""JSON merge patches (RFC 7386): what every planned change is, and how to read one.

A merge patch mirrors the object: a value replaces, `null` removes, an object
recurses, and a list is replaced whole. The same patch is sent to the API
server (`application/merge-patch+json`), written to a GitOps repository, and
applied here to show what a change would do.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """The result of applying `patch` to `target`; neither argument is modified."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def old_values(target: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """The values `patch` would replace, shaped like the patch (None where absent)."""
    before: dict[str, Any] = {}
    for key, value in patch.items():
        current = target.get(key) if isinstance(target, Mapping) else None
        if (
            isinstance(value, Mapping)
            and value
            and (current is None or isinstance(current, Mapping))
        ):
            before[key] = old_values(current or {}, value)
        else:
            before[key] = copy.deepcopy(current)
    return before


def leaves(document: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The paths of a patch's leaf values (objects are walked, everything else is a leaf)."""
    for key, value in document.items():
        path = (*prefix, key)
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        else:
            yield path


def has_list(document: Any) -> bool:
    """Whether a list appears anywhere in the document (merge patches replace lists whole)."""
    if isinstance(document, list):
        return True
    if isinstance(document, Mapping):
        return any(has_list(v) for v in document.values())
    return False
