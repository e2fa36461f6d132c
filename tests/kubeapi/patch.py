"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server applies them.

A strategic merge patch is applied as a merge patch: the test server stores plain
JSON and Costplane only patches maps (labels, annotations) and scalars (replicas,
suspend, resources), where the two agree.
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """The patch cannot apply (a missing path, a failed test): the server answers 422."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def json_patch(target: Any, operations: list[Any]) -> Any:
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test); a failure is a 422."""
    document = copy.deepcopy(target)
    for operation in operations:
        op, path = operation.get("op"), operation.get("path", "")
        if op in ("add", "replace"):
            if op == "replace":
                _pointer_get(document, path)
            document = _pointer_set(document, path, copy.deepcopy(operation["value"]), op)
        elif op == "remove":
            document = _pointer_remove(document, path)
        elif op in ("move", "copy"):
            value = copy.deepcopy(_pointer_get(document, operation["from"]))
            if op == "move":
                document = _pointer_remove(document, operation["from"])
            document = _pointer_set(document, path, value, "add")
        elif op == "test":
            if _pointer_get(document, path) != operation.get("value"):
                raise PatchError(f"the test operation failed at {path}")
        else:
            raise PatchError(f"unknown JSON patch operation {op!r}")
    return document


def _tokens(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"JSON pointer {path!r} must start with /")
    return [t.replace("~1", "/").replace("~0", "~") for t in path[1:].split("/")]


def _pointer_get(document: Any, path: str) -> Any:
    node = document
    for token in _tokens(path):
        try:
            node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            raise PatchError(f"JSON patch path {path} does not exist") from None
    return node


def _pointer_set(document: Any, path: str, value: Any, op: str) -> Any:
    tokens = _tokens(path)
    if not tokens:
        return value
    parent = (
        _pointer_get(
            document, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1])
        )
        if len(tokens) > 1
        else document
    )
    last = tokens[-1]
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if op == "add":
            parent.insert(index, value)
        else:
            parent[index] = value
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise PatchError(f"JSON patch path {path} does not exist")
    return document


def _pointer_remove(document: Any, path: str) -> Any:
    tokens = _tokens(path)
    _pointer_get(document, path)
    parent = (
        _pointer_get(
            document, "/" + "/".join(t.replace("~", "~0").replace("/", "~1") for t in tokens[:-1])
        )
        if len(tokens) > 1
        else document
    )
    if isinstance(parent, list):
        del parent[int(tokens[-1])]
    else:
        del parent[tokens[-1]]
    return document
