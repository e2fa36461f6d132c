"""The filter-type registry: a policy's `type: NAME` names a class registered here.

Built-in types (`value`, `fact`) are registered the same way as plug-ins. A
plug-in is a `FilterSpec` subclass (usually `ResourceFilter`) with a
`type: Literal["NAME"]` field, registered by the decorator:

    @filter_type("image-registry")
    class ImageRegistry(ResourceFilter):
        type: Literal["image-registry"] = "image-registry"
        allowed: list[str]

        def matches(self, resource, ref, scope) -> bool: ...

Packages may also declare an entry point in the group `costplane.filters`
(`name = "package.module"`); it is imported the first time a type is looked up
or listed, so installing a package is enough. There are no aliases: one name,
one class.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import TypeVar

from costplane.governance.filters.spec import FilterSpec

ENTRY_POINT_GROUP = "costplane.filters"

_Spec = TypeVar("_Spec", bound=type[FilterSpec])


class FilterRegistry:
    """Filter types by name, filled by a decorator and by entry points."""

    def __init__(self, group: str = ENTRY_POINT_GROUP) -> None:
        self.group = group
        self._types: dict[str, type[FilterSpec]] = {}
        self._loaded = False

    def register(self, name: str) -> Callable[[_Spec], _Spec]:
        """Decorator: make the class the filter type `name`."""

        def decorate(spec: _Spec) -> _Spec:
            _check_type_field(spec, name)
            known = self._types.get(name)
            if known is not None and known is not spec:
                raise ValueError(f"filter type {name!r} is already registered by {known.__name__}")
            self._types[name] = spec
            return spec

        return decorate

    def get(self, name: str) -> type[FilterSpec]:
        """The class for `name`; KeyError's message names the known types."""
        found = self._types.get(name)
        if found is None:
            self._load_entry_points()
            found = self._types.get(name)
        if found is None:
            close = difflib.get_close_matches(name, self.names(), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise KeyError(
                f"unknown filter type {name!r}{hint}; known types: {', '.join(self.names())}"
            )
        return found

    def names(self) -> list[str]:
        self._load_entry_points()
        return sorted(self._types)

    def unregister(self, name: str) -> None:
        """Forget `name` (tests that register their own types clean up with this)."""
        self._types.pop(name, None)

    def _load_entry_points(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for entry in entry_points(group=self.group):
            entry.load()


def _check_type_field(spec: type[FilterSpec], name: str) -> None:
    """A registered model must carry `type: Literal[name]`, so its schema names it."""
    field = spec.model_fields.get("type")
    allowed = typing.get_args(field.annotation) if field is not None else ()
    if field is None or allowed != (name,) or field.default != name:
        raise TypeError(
            f"{spec.__name__} needs the field  type: Literal[{name!r}] = {name!r}  "
            "to be registered as that filter type"
        )


FILTERS = FilterRegistry()
"""The registry policies are read with."""

filter_type = FILTERS.register
