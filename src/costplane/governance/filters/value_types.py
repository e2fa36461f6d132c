"""Value types: how a value read from a resource becomes something to compare.

Without a value type, values compare as JSON: numbers as exact decimals (true is
not 1), text as text. With one, both sides are read into the number they mean:

    quantity  Kubernetes quantities: "500m" is 0.5, "4Gi" is 4294967296
    bytes     sizes: "4Gi", "4GiB", "4 GB", "512MB", 1073741824 (bytes)
    duration  "14d", "1h30m", "300ms" in seconds; a bare number in `unit` (s)
    age       the seconds since a timestamp, at the evaluation instant;
              the policy's value is a duration ("older than 14d")
    percent   "85%" or 85

Cloud Custodian compares "500m" > 2 as a string against a number (never
true) and reads "4000m" as 0.0 with its float type; here a value that cannot be
read as its type is reported as unreadable, never silently unmatched.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable
from decimal import Decimal

from costplane.describe import describe
from costplane.governance.filters.durations import parse_duration, parse_timestamp, seconds_between
from costplane.quantity import parse_quantity


class ValueType(enum.StrEnum):
    QUANTITY = "quantity"
    BYTES = "bytes"
    DURATION = "duration"
    AGE = "age"
    PERCENT = "percent"


Reader = Callable[[object], object]
"""Turns a present resource value into a comparable one; raises ValueError saying why not."""

_BYTE_UNIT = re.compile(r"^(?P<number>.*?)(?P<unit>[KMGTPE]iB|[kKMGTPE]B|B)$")
_QUANTITY_SUFFIX = {
    "B": "",
    **{f"{p}B": p for p in "MGTPE"},
    "kB": "k",
    "KB": "k",
    **{f"{p}iB": f"{p}i" for p in "KMGTPE"},
}
"""The Kubernetes suffix for each size unit written with a B."""
_SPACE_BEFORE_UNIT = re.compile(r"(?<=[\d.])\s+(?=[A-Za-z])")


def json_value(value: object) -> object:
    """A JSON value with numbers as exact decimals (floats by their shortest repr)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def number(value: object) -> Decimal:
    """A JSON number as a Decimal; ValueError for anything else (text, true/false, lists)."""
    converted = json_value(value)
    if not isinstance(converted, Decimal):
        raise ValueError(f"expected a number, got {describe(value)}")
    return converted


def parse_bytes(value: object) -> Decimal:
    """Bytes from a Kubernetes quantity ("4Gi"), a size with B ("4GiB", "4 GB") or a number."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(f"expected a size such as 4Gi, 4GiB or 512MB, got {describe(value)}")
    if not isinstance(value, str):
        return number(value)
    text = _SPACE_BEFORE_UNIT.sub("", value.strip())
    sized = _BYTE_UNIT.match(text)
    if sized is not None:
        text = sized["number"] + _QUANTITY_SUFFIX[sized["unit"]]
    try:
        return parse_quantity(text)
    except ValueError:
        raise ValueError(
            f"not a size: {value!r} (expected e.g. 4Gi, 4GiB, 512MB or a number of bytes)"
        ) from None


def parse_percent(value: object) -> Decimal:
    """Percent points from "85%", "85" or 85."""
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            return number(Decimal(text))
        except (ArithmeticError, ValueError):
            raise ValueError(f"not a percentage: {value!r} (expected e.g. 85% or 85)") from None
    try:
        return number(value)
    except ValueError:
        raise ValueError(f"expected a percentage such as 85%, got {describe(value)}") from None


def quantity(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(
            f"expected a Kubernetes quantity such as 500m or 4Gi, got {describe(value)}"
        )
    if isinstance(value, float):
        return number(value)
    return parse_quantity(value)


def resource_reader(value_type: ValueType | None, now: dt.datetime, unit: str = "s") -> Reader:
    """How values read from resources (or facts) are converted for this value type."""
    if value_type is None:
        return json_value
    if value_type is ValueType.AGE:
        return lambda value: seconds_between(parse_timestamp(value), now)
    if value_type is ValueType.DURATION:
        return lambda value: parse_duration(value, unit)
    return _READERS[value_type]


def policy_reader(value_type: ValueType | None, unit: str = "s") -> Reader:
    """How a policy's own value is read: an age is compared with a duration."""
    if value_type in (ValueType.AGE, ValueType.DURATION):
        return lambda value: parse_duration(value, unit)
    if value_type is None:
        return json_value
    return _READERS[value_type]


_READERS: dict[ValueType, Reader] = {
    ValueType.QUANTITY: quantity,
    ValueType.BYTES: parse_bytes,
    ValueType.PERCENT: parse_percent,
}
