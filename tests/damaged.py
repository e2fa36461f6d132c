"""Kubernetes objects damaged at random, as repositories we have never seen may hold them:
any field removed, nulled, or given a value of another type (the kind is kept, or the
object would not be one)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

ODD_VALUES = [None, 0, -1, 2.5, "", "x", "500m", "4Gi", True, [], {}, [1], {"a": 1}, [{}]]


def places(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every path inside an object, but its kind."""
    found = [path] if path and path != ("kind",) else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += places(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += places(child, (*path, index))
    return found


@st.composite
def damaged_objects(
    draw: st.DrawFn,
    objects: Sequence[dict[str, Any]],
    odd_values: Sequence[object] = ODD_VALUES,
    most: int = 12,
) -> list[dict[str, Any]]:
    """A copy of `objects` with 1 to `most` fields damaged."""
    damaged = copy.deepcopy(list(objects))
    for _ in range(draw(st.integers(1, most))):
        target = damaged[draw(st.integers(0, len(damaged) - 1))]
        inside = places(target)
        if draw(st.booleans()):  # the top of an object half the time: metadata, spec, ...
            inside = [path for path in inside if len(path) <= 2]
        if not inside:  # damaged down to its kind already
            continue
        path = draw(st.sampled_from(inside))
        parent: Any = target
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = copy.deepcopy(draw(st.sampled_from(odd_values)))
    return damaged
