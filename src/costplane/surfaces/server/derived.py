"""Response models derived from the service's result types, for the OpenAPI document.

The later capabilities' documents are `to_document(result)` of frozen dataclasses nested
several levels deep (a placement's criteria, a forecast's days). Writing their schemas by
hand would be a second copy that drifts from the code; instead `model_of(Result)` reads the
dataclass's annotated fields, and the `COMPUTED` values its document carries, and maps
each type the way `to_document` serialises it: a Decimal to a decimal string (`Money`), a
date or time to ISO 8601 text, an enum to its value, a tuple to a list, a nested dataclass
to its own model. The tests check every answer against these models (schemathesis).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from costplane.service import COMPUTED
from costplane.surfaces.server.schemas import Day, Money, Time

_models: dict[tuple[type, str], type[BaseModel]] = {}


def model_of(
    cls: type,
    name: str | None = None,
    *,
    only: Sequence[str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> type[BaseModel]:
    """A pydantic model of `to_document(cls instance)`: every field required (the document
    always holds it), `None` allowed where the annotation allows it. `only` keeps these
    fields, `overrides` replaces a field's type, `extra` adds fields a document adds."""
    title = name or cls.__name__
    key = (cls, title)
    if key in _models and not (only or overrides or extra):
        return _models[key]
    hints = _hints(cls)
    names = [f.name for f in dataclasses.fields(cls)] + list(COMPUTED.get(cls, ()))
    if only is not None:
        names = [n for n in only if n in hints]
    fields: dict[str, Any] = {n: (field_type(t), ...) for n, t in extra.items()} if extra else {}
    for field_name in names:
        if overrides and field_name in overrides:
            fields[field_name] = (overrides[field_name], ...)
        else:
            fields[field_name] = (field_type(hints.get(field_name, Any)), ...)
    model = create_model(
        title,
        __config__=ConfigDict(extra="forbid"),
        __doc__=(cls.__doc__ or "").strip().split("\n\n")[0] or None,
        **fields,
    )
    _models[key] = model
    return typing.cast(type[BaseModel], model)


def _hints(cls: type) -> dict[str, Any]:
    """Field and computed-property annotations, resolved in their modules; one that cannot
    be resolved (an import only for type checkers) is Any."""
    found: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        namespace = vars(sys.modules[klass.__module__]) if klass.__module__ in sys.modules else {}
        for field_name, annotation in vars(klass).get("__annotations__", {}).items():
            found[field_name] = _resolve(annotation, namespace)
    for field_name in COMPUTED.get(cls, ()):
        prop = getattr(cls, field_name, None)
        getter = getattr(prop, "fget", None)
        annotation = getattr(getter, "__annotations__", {}).get("return", Any)
        found[field_name] = _resolve(annotation, vars(sys.modules[cls.__module__]))
    return found


def _resolve(annotation: Any, namespace: Mapping[str, Any]) -> Any:
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, dict(namespace), {})  # the class's own annotation text
    except Exception:  # a name only type checkers import
        return Any


def field_type(annotation: Any) -> Any:
    """The type of `to_document(value)` for a value annotated `annotation`."""
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if annotation is Any or annotation is object:
        return Any
    if annotation is None or annotation is type(None):
        return type(None)
    if origin is typing.Union or origin is types.UnionType:
        mapped = tuple(field_type(a) for a in arguments)
        return typing.Union[mapped]  # noqa: UP007 (built from a runtime tuple)
    if origin is typing.Literal:
        return annotation
    if origin is typing.ClassVar:
        return Any
    if origin in (tuple, list, Sequence, frozenset, set) or origin is typing.Tuple:  # noqa: UP006
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            return list[Any]  # a fixed tuple: a list of its items
        return list[field_type(arguments[0]) if arguments else Any]  # type: ignore[misc]
    if origin in (dict, Mapping) or annotation in (dict, Mapping):
        value = field_type(arguments[1]) if len(arguments) == 2 else Any
        return dict[str, value]  # type: ignore[valid-type]
    if not isinstance(annotation, type):
        return Any
    if issubclass(annotation, bool | int | float | str) and not issubclass(annotation, enum.Enum):
        return str if issubclass(annotation, str) else annotation
    if issubclass(annotation, Decimal):
        return Money
    if issubclass(annotation, dt.datetime):
        return Time
    if issubclass(annotation, dt.date):
        return Day
    if issubclass(annotation, dt.time):
        return str
    if issubclass(annotation, enum.Enum):
        values = [member.value for member in annotation]
        if all(isinstance(v, str) for v in values):
            return typing.Literal[tuple(values)]
        return Any
    if issubclass(annotation, Path):
        return str
    if dataclasses.is_dataclass(annotation):
        return model_of(annotation)
    return Any  # a pydantic model of the catalog, and anything else: its own fields
