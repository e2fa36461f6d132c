"""Field types shared by catalog models: identifiers, money, Kubernetes quantities."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, TypeVar

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

from costplane.describe import describe
from costplane.quantity import cpu_cores, memory_bytes

IDENTIFIER_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"
Identifier = Annotated[
    str,
    StringConstraints(pattern=IDENTIFIER_PATTERN),
    WithJsonSchema({"type": "string", "pattern": IDENTIFIER_PATTERN}),
]
"""A DNS-label-like name (lower case, digits, dashes): tenants, service classes, budgets."""

Money = Annotated[
    Decimal,
    Field(ge=0, decimal_places=6),
    WithJsonSchema({"type": ["string", "number"], "pattern": r"^\d+(\.\d{1,6})?$"}),
]
"""A non-negative amount, read exactly (YAML numbers are read from their text, not as floats)."""

Percent = Annotated[Decimal, Field(gt=0, le=1000)]

_Parsed = TypeVar("_Parsed")


def _quantity(parse: Callable[[str | int | Decimal], _Parsed]) -> Callable[[object], _Parsed]:
    """Guard a quantity parser: YAML may hand it a list or a mapping, which must be an error."""

    def validate(value: object) -> _Parsed:
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise ValueError(
                f"expected a Kubernetes quantity such as 500m, 2 or 4Gi, got {describe(value)}"
            )
        return parse(value)

    return validate


CpuCores = Annotated[
    Decimal,
    BeforeValidator(_quantity(cpu_cores)),
    Field(ge=0),
    WithJsonSchema({"type": ["string", "number"], "description": "Kubernetes quantity: 500m, 2"}),
]
MemoryBytes = Annotated[
    int,
    BeforeValidator(_quantity(memory_bytes)),
    Field(ge=0),
    WithJsonSchema({"type": ["string", "integer"], "description": "Kubernetes quantity: 4Gi"}),
]

CURRENCY_PATTERN = r"^[A-Z]{3}$"
Currency = Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
"""An ISO 4217 code such as EUR or USD."""
