"""Pydantic's errors in the words of someone editing a policy file."""

from __future__ import annotations

from typing import Any

from costplane.describe import describe

_EXPECTED = {
    "model_type": "expected a mapping of keys and values",
    "model_attributes_type": "expected a mapping of keys and values",
    "dict_type": "expected a mapping of keys and values",
    "list_type": "expected a list",
    "tuple_type": "expected a list",
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "int_parsing": "expected a whole number",
    "decimal_type": "expected a number",
    "decimal_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
}


def explain(error: Any) -> str:
    """One error of `ValidationError.errors()` as a sentence (without its location)."""
    kind, ctx, found = error["type"], error.get("ctx") or {}, error.get("input")
    got = f", got {describe(found)}"
    if kind == "policy":
        return str(ctx.get("message", error["msg"]))
    if kind in _EXPECTED:
        return _EXPECTED[kind] + got
    if kind == "missing":
        return f"missing required key {error['loc'][-1]!r}" if error["loc"] else "missing"
    if kind == "extra_forbidden":
        return f"unknown key {error['loc'][-1]!r}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
    if kind in ("enum", "literal_error"):
        return f"expected one of {ctx.get('expected')}{got}"
    if kind == "string_pattern_mismatch":
        return f"does not match the pattern {ctx.get('pattern')}{got}"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    return f"{error['msg']}{got}"
