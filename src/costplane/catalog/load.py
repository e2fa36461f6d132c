"""Load `costplane.yaml`: YAML with positions, model validation, cross-reference checks.

The file is read with ruamel's round-trip loader, which remembers the line and
column of every key and value. Floats are built as `Decimal` from their source
text, so `0.1` is exactly 0.1 (money never passes through a binary float). The
document is validated as a whole, then each service class, tenant and budget
alone, so the cross-reference checks still run when another part is broken.
Every problem found is raised at once in one `InputProblemsError`, each at the
position of the key or value at fault and worded for someone who edits YAML,
not Python. Loading writes nothing.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from costplane.catalog.branding import Branding, logo_problem
from costplane.catalog.budget import Budget
from costplane.catalog.catalog import Catalog
from costplane.catalog.checks import CatalogParts, Loc, check_references, dotted
from costplane.catalog.notifications import NotificationRoute
from costplane.catalog.service_class import ServiceClass
from costplane.catalog.tenant import Tenant
from costplane.catalog.types import CURRENCY_PATTERN, IDENTIFIER_PATTERN
from costplane.describe import describe
from costplane.errors import InputProblemsError, Problem, problems_in
from costplane.parse_bounds import DocumentTooLargeError
from costplane.yaml_source import (
    START,
    Position,
    Rejected,
    SourceMap,
    exact_yaml,
    mark_position,
)

__all__ = ["catalog_schema", "load_catalog", "locate_problems", "parse_catalog"]

_Model = TypeVar("_Model", bound=BaseModel)


def load_catalog(path: Path) -> Catalog:
    """Read, validate and cross-check a catalog file; InputProblemsError lists every problem."""
    return parse_catalog(_read_text(path), str(path), base=path.parent)


def parse_catalog(text: str, file: str = "costplane.yaml", base: Path | None = None) -> Catalog:
    """Validate catalog YAML text; `file` is only used to name where problems are. With
    `base`, the directory the catalog is in, files it names (the logo) are checked too."""
    document = _parse_yaml(text, file)
    if document is None:
        raise _invalid([Problem(file, *START, _empty_message())])
    source = SourceMap()
    tree = source.plain(document, ())
    if not isinstance(tree, dict):
        message = f"the catalog must be a mapping of keys, got {describe(tree)}"
        raise _invalid([Problem(file, *source.value_at(()), message)])
    problems = [
        Problem(file, *source.value_at(loc), _located(loc, message))
        for loc, message in source.rejected
    ]
    catalog: Catalog | None = None
    try:
        catalog = Catalog.model_validate(tree)
    except ValidationError as exc:
        problems += _validation_problems(exc.errors(include_url=False), source, file)
    for violation in check_references(_parts(tree)):
        position = source.value_at(violation.loc)
        problems.append(Problem(file, *position, _located(violation.loc, violation.message)))
    branding = _valid(Branding, tree.get("branding", {}))
    if base is not None and branding is not None and (why := logo_problem(branding, base)):
        loc = ("branding", "logo")
        problems.append(Problem(file, *source.value_at(loc), _located(loc, why)))
    if problems or catalog is None:
        raise _invalid(list(dict.fromkeys(problems)))
    return catalog


def locate_problems(path: Path, located: Sequence[tuple[Loc, str]]) -> InputProblemsError:
    """Problems a later stage found in a valid catalog (a class that cannot render), each
    at the line and column of the key at fault, as the loader reports its own."""
    file = str(path)
    source = SourceMap()
    source.plain(_parse_yaml(_read_text(path), file), ())
    problems = [
        Problem(file, *source.value_at(loc), _located(loc, message)) for loc, message in located
    ]
    return _invalid(list(dict.fromkeys(problems)))


def catalog_schema() -> dict[str, Any]:
    """The JSON Schema of `costplane.yaml`, for editors and `costplane catalog schema`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **Catalog.model_json_schema(),
    }


# --- reading the file and its YAML ---------------------------------------------------------


def _read_text(path: Path) -> str:
    """The file as text; a missing, unreadable or non-UTF-8 file is one problem, not a traceback."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _file_problem(path, "file not found") from None
    except IsADirectoryError:
        raise _file_problem(path, "is a directory, not a catalog file") from None
    except OSError as exc:
        raise _file_problem(path, f"cannot read the file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be decoded"
        raise _invalid([Problem(str(path), line, column, message)]) from None


def _file_problem(path: Path, message: str) -> InputProblemsError:
    return _invalid([Problem(str(path), *START, message)])


def _invalid(problems: list[Problem]) -> InputProblemsError:
    """The catalog's problems in file order: `error: 3 problems in the catalog` after them."""
    ordered = sorted(problems)
    return InputProblemsError(ordered, problems_in(ordered, "the catalog"))


def _yaml_reader() -> YAML:
    return exact_yaml(timestamps="date")


def _parse_yaml(text: str, file: str) -> object:
    """The YAML document; a syntax error or duplicate key is one problem at its position."""
    try:
        return _yaml_reader().load(text)
    except DocumentTooLargeError as exc:
        raise _invalid([Problem(file, exc.line, exc.column, str(exc))]) from None
    except DuplicateKeyError as exc:
        raise _invalid([_duplicate_key_problem(exc, text, file)]) from None
    except MarkedYAMLError as exc:
        raise _invalid([_syntax_problem(exc, file)]) from None
    except YAMLError as exc:
        raise _invalid([Problem(file, *START, f"YAML error: {exc}")]) from None


def _syntax_problem(exc: MarkedYAMLError, file: str) -> Problem:
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.problem and exc.context and exc.context_mark is not None:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    return Problem(file, *mark_position(exc.problem_mark or exc.context_mark), message)


_DUPLICATE = re.compile(r'found duplicate key "(?P<key>.*?)" with value')


def _duplicate_key_problem(exc: DuplicateKeyError, text: str, file: str) -> Problem:
    """Point at the repeated key and say where it first appears."""
    match = _DUPLICATE.search(str(exc.problem))
    key = match["key"] if match else "?"
    message = f"duplicate key {key!r}: a key may appear only once in a mapping"
    first = _first_key_line(text, exc.context_mark, key)
    if first is not None:
        message += f" (first at line {first})"
    return Problem(file, *mark_position(exc.problem_mark), message)


def _first_key_line(text: str, mapping_mark: Any, key: str) -> int | None:
    """Line of the first `key` in the mapping that starts at `mapping_mark` (1-based)."""
    if mapping_mark is None:
        return None
    pending: list[Node] = [_yaml_reader().compose(text)]
    while pending:
        node = pending.pop()
        if isinstance(node, MappingNode):
            if (node.start_mark.line, node.start_mark.column) == (
                mapping_mark.line,
                mapping_mark.column,
            ):
                lines = [k.start_mark.line + 1 for k, _ in node.value if k.value == key]
                return lines[0] if lines else None
            pending += [child for pair in node.value for child in pair]
        elif isinstance(node, SequenceNode):
            pending += node.value
    return None


# --- the document as plain values, with the position of each ---------------------------------


# --- model errors as problems ---------------------------------------------------------------


def _validation_problems(
    errors: Sequence[ErrorDetails], source: SourceMap, file: str
) -> list[Problem]:
    problems = []
    for error in errors:
        if isinstance(error["input"], Rejected):
            continue  # already reported where the YAML was read
        position, loc, message = _locate(error, source)
        problems.append(Problem(file, *position, _located(loc, message)))
    return problems


def _locate(error: ErrorDetails, source: SourceMap) -> tuple[Position, Loc, str]:
    """Where an error points and what path it names: an unknown or invalid key at the key, a
    missing key at the mapping that lacks it, a value of the wrong kind at the value, a rule a
    whole mapping breaks (min_gib > max_gib) at the key that names the mapping."""
    loc: Loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        return source.key_at(loc), loc[:-1], _unknown_key(loc)
    if error["type"] == "missing":
        return source.value_at(loc[:-1]), loc[:-1], f"missing required key {loc[-1]!r}"
    if loc and loc[-1] == "[key]":
        return source.key_at(loc[:-1]), loc[:-2], f"key {loc[-2]!r}: {_explain(error)}"
    if error["type"] in _EXPECTED:  # the wrong kind of value: point at it, even a list
        return source.value_of(loc), loc, _explain(error)
    return source.value_at(loc), loc, _explain(error)


def _located(loc: Loc, message: str) -> str:
    return f"{dotted(loc)}: {message}" if loc else message


def _unknown_key(loc: Loc) -> str:
    key = str(loc[-1])
    allowed = _fields_at(loc[:-1])
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return f"unknown key {key!r} (did you mean {close[0]!r}?)"
    if allowed:
        return f"unknown key {key!r} (expected one of: {', '.join(allowed)})"
    return f"unknown key {key!r}"


def _fields_at(loc: Loc) -> list[str]:
    """The keys the model at `loc` takes, found by walking the type annotations from Catalog."""
    annotation: object = Catalog
    for part in loc:
        annotation = _child_annotation(_bare(annotation), part)
    model = _bare(annotation)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _bare(annotation: object) -> object:
    """Strip `Annotated[...]` and `| None` down to the type that has the fields or items."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _child_annotation(annotation: object, part: str | int) -> object:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        child = annotation.model_fields.get(str(part))
        return child.annotation if child is not None else None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


_EXPECTED = {
    "model_type": "expected a mapping of keys and values",
    "model_attributes_type": "expected a mapping of keys and values",
    "dict_type": "expected a mapping of keys and values",
    "list_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number",
    "decimal_type": "expected a decimal amount",
    "decimal_parsing": "expected a decimal amount",
    "finite_number": "expected a finite amount",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "date_type": "expected a date such as 2025-01-31",
    "date_parsing": "expected a date such as 2025-01-31",
    "date_from_datetime_parsing": "expected a date such as 2025-01-31",
    "date_from_datetime_inexact": "expected a date without a time of day",
    "time_type": "expected a time of day such as 19:30",
    "time_parsing": "expected a time of day such as 19:30",
}
"""Plain wording for pydantic's type errors; each is followed by what was found."""

_PATTERNS = {
    IDENTIFIER_PATTERN: "expected lower-case letters, digits and dashes, starting and ending "
    "with a letter or digit, at most 63 characters (e.g. acme-wholesale)",
    CURRENCY_PATTERN: "expected a three-letter ISO 4217 currency code in capitals, such as EUR",
}


def _explain(error: ErrorDetails) -> str:
    """Pydantic's message in the words of someone editing YAML."""
    kind, ctx, got = error["type"], error.get("ctx", {}), f", got {describe(error['input'])}"
    if kind in _EXPECTED:
        return _EXPECTED[kind] + got
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind in ("enum", "literal_error"):
        return f"expected one of {ctx['expected']}{got}"
    if kind == "string_pattern_mismatch":
        return _PATTERNS.get(ctx["pattern"], f"does not match the pattern {ctx['pattern']}") + got
    return _explain_bound(kind, ctx, got) or f"{error['msg']}{got}"


_BOUNDS = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be more than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "too_long": "may have at most {max_length} entries",
    "string_too_long": "may have at most {max_length} characters",
    "decimal_max_places": "may have at most {decimal_places} decimal places",
    "decimal_max_digits": "may have at most {max_digits} digits",
}
"""Plain wording for numeric bounds, lengths and decimal places, filled from pydantic's ctx."""


def _explain_bound(kind: str, ctx: dict[str, Any], got: str) -> str | None:
    if kind in ("too_short", "string_too_short"):
        minimum = ctx["min_length"]
        return "must not be empty" if minimum == 1 else f"needs at least {minimum} entries{got}"
    template = _BOUNDS.get(kind)
    return template.format(**ctx) + got if template is not None else None


def _empty_message() -> str:
    required = ", ".join(name for name, f in Catalog.model_fields.items() if f.is_required())
    return f"the catalog is empty: it needs at least {required}"


# --- the parts that validate on their own, for the cross-reference checks --------------------


def _parts(tree: dict[str | int, object]) -> CatalogParts:
    classes = tree.get("service_classes")
    classes = classes if isinstance(classes, dict) else {}
    tenants = _list(tree.get("tenants"))
    return CatalogParts(
        service_class_ids=frozenset(name for name in classes if isinstance(name, str)),
        service_classes={
            name: model
            for name, raw in classes.items()
            if isinstance(name, str) and (model := _valid(ServiceClass, raw)) is not None
        },
        tenant_ids=frozenset(
            t["id"].strip() for t in tenants if isinstance(t, dict) and isinstance(t.get("id"), str)
        ),
        tenants=_valid_items(Tenant, tenants),
        budgets=_valid_items(Budget, _list(tree.get("budgets"))),
        routes=_valid_items(NotificationRoute, _routes(tree.get("notifications"))),
    )


def _routes(notifications: object) -> list[object]:
    return _list(notifications.get("routes")) if isinstance(notifications, dict) else []


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def _valid(model: type[_Model], raw: object) -> _Model | None:
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None


def _valid_items(model: type[_Model], raws: list[object]) -> list[tuple[int, _Model]]:
    """Each item validated alone, with its index in the file, so one bad item hides no other."""
    items = ((index, _valid(model, raw)) for index, raw in enumerate(raws))
    return [(index, item) for index, item in items if item is not None]
