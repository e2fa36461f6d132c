"""One serialiser: any result of an operation as JSON-ready data, for every surface.

Frozen dataclasses become objects of their fields (in declaration order), followed by the
computed values their documents carry (`COMPUTED`: a margin, a total); pydantic models
their fields; Decimals plain decimal strings (never floats, never scientific notation);
dates and times ISO 8601; enums their value; paths their text. The JSON documents are a
contract other tools read: a shape that is not a result's fields is mapped where it is
made, not here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from costplane.allocation import KindCosts, ReconciledDay, TenantCharge, TenantMargin
from costplane.insight.class_change import ClassChange, CostSplit, Shortfall

COMPUTED: Mapping[type, tuple[str, ...]] = {
    ClassChange: (
        "fee_change",
        "cost_change",
        "margin_before",
        "margin_after",
        "margin_change",
    ),
    CostSplit: ("total",),
    Shortfall: ("short_by",),
    KindCosts: ("total",),
    ReconciledDay: ("difference",),
    TenantCharge: ("total",),
    TenantMargin: ("margin", "margin_percent"),
}
"""Per result type, the properties its document carries after its fields."""


PLAIN = frozenset({str, int, float, bool, type(None)})
"""Types that are JSON as they are (exactly these: an enum that is also a str is not)."""


def to_document(value: Any) -> Any:
    """`value` as JSON-ready data: dicts, lists, strings, numbers, booleans and None."""
    kind = type(value)
    if kind in PLAIN:  # most values: a page of findings is thousands of them
        return value
    if kind is dict:
        return {str(k): to_document(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [to_document(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")  # never scientific notation: 0E-9 reads as 0.000000000
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_document(as_row(value))
    if isinstance(value, BaseModel):
        return {name: to_document(item) for name, item in value}
    if isinstance(value, Mapping):
        return {str(k): to_document(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_document(v) for v in value]
    return value


def as_row(value: Any) -> dict[str, Any]:
    """A dataclass's fields and `COMPUTED` values by name, the values as they are (a table
    still rounds its Decimals)."""
    names = [f.name for f in dataclasses.fields(value)] + [*COMPUTED.get(type(value), ())]
    return {name: getattr(value, name) for name in names}
