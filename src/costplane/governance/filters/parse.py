"""From a policy's `filters:` YAML to filter models, every problem at its place.

The forms, checked in this order:

    {and: [...]}, {or: [...]}, {not: ... }   connectives (one key)
    {type: NAME, ...}                        a registered filter type
    {key: PATH, ...}                         a value filter
    {fact: NAME, ...}                        a fact filter
    {PATH: VALUE}                            shorthand for {key: PATH, op: eq, value: VALUE}

Errors keep the location inside the filters (`filters[2].or[0].value`), so the
loader can point at the line.
"""

from __future__ import annotations

from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails

from costplane.describe import describe
from costplane.governance.filters.boolean import BooleanFilter
from costplane.governance.filters.fact_filter import FactFilter
from costplane.governance.filters.registry import FILTERS
from costplane.governance.filters.spec import FilterSpec
from costplane.governance.filters.value_filter import ValueFilter
from costplane.governance.problems import problem_detail
from costplane.governance.wording import explain

Loc = tuple[str | int, ...]
CONNECTIVES = ("and", "or", "not")


def parse_filters(raw: object) -> tuple[FilterSpec, ...]:
    """A list of filters (a policy's `filters`); ValidationError lists every problem."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        _raise([problem_detail((), f"filters must be a list, got {describe(raw)}", raw)])
        return ()
    problems: list[InitErrorDetails] = []
    specs = [_parse(item, (index,), problems) for index, item in enumerate(raw)]
    if problems:
        _raise(problems)
    return tuple(spec for spec in specs if spec is not None)


def _parse(raw: object, loc: Loc, problems: list[InitErrorDetails]) -> FilterSpec | None:
    if not isinstance(raw, dict):
        message = (
            f"a filter is a mapping (key/op/value, fact, type, and/or/not), got {describe(raw)}"
        )
        problems.append(problem_detail(loc, message, raw))
        return None
    if len(raw) == 1 and next(iter(raw)) in CONNECTIVES:
        connective = next(iter(raw))
        return _connective(connective, raw[connective], (*loc, connective), problems)
    if "type" in raw:
        try:
            model = FILTERS.get(str(raw["type"]))
        except KeyError as exc:
            problems.append(problem_detail((*loc, "type"), str(exc.args[0]), raw["type"]))
            return None
        return _validated(model, raw, loc, problems)
    if "key" in raw:
        return _validated(ValueFilter, raw, loc, problems)
    if "fact" in raw:
        return _validated(FactFilter, raw, loc, problems)
    if len(raw) == 1:
        key, value = next(iter(raw.items()))
        return _shorthand(str(key), value, (*loc, key), problems)
    message = "a filter needs key (a value filter), fact, type, or is one of and/or/not"
    problems.append(problem_detail(loc, message, raw))
    return None


def _connective(
    connective: str, raw: object, loc: Loc, problems: list[InitErrorDetails]
) -> FilterSpec | None:
    if connective == "not" and isinstance(raw, dict):
        child = _parse(raw, loc, problems)
        return None if child is None else BooleanFilter(connective="not", filters=(child,))
    if not isinstance(raw, list) or not raw:
        message = f"{connective} takes a non-empty list of filters, got {describe(raw)}"
        problems.append(problem_detail(loc, message, raw))
        return None
    children = [_parse(item, (*loc, index), problems) for index, item in enumerate(raw)]
    found = tuple(child for child in children if child is not None)
    if len(found) != len(children):
        return None
    return BooleanFilter(connective=connective, filters=found)


def _shorthand(
    key: str, value: object, loc: Loc, problems: list[InitErrorDetails]
) -> FilterSpec | None:
    try:
        return ValueFilter.model_validate({"key": key, "value": value})
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            where = loc if error["loc"] in (("key",), ("value",), ()) else (*loc, *error["loc"])
            problems.append(problem_detail(where, explain(error), error["input"]))
        return None


def _validated(
    model: type[FilterSpec], raw: dict[str, Any], loc: Loc, problems: list[InitErrorDetails]
) -> FilterSpec | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            problems.append(problem_detail((*loc, *error["loc"]), explain(error), error["input"]))
        return None


def _raise(problems: list[InitErrorDetails]) -> NoReturn:
    raise ValidationError.from_exception_data("filters", problems)
