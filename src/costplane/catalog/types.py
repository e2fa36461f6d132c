"""Field types shared by catalog models: identifiers, money, Kubernetes quantities."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

from costplane.quantity import cpu_cores, memory_bytes

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"),
    WithJsonSchema(
        {"type": "string", "pattern": r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"},
    ),
]
"""A DNS-label-like name (lower case, digits, dashes): tenants, service classes, budgets."""

Money = Annotated[
    Decimal,
    Field(ge=0, decimal_places=6),
    WithJsonSchema({"type": ["string", "number"], "pattern": r"^\d+(\.\d{1,6})?$"}),
]
"""A non-negative amount, read exactly (YAML numbers are read from their text, not as floats)."""

Percent = Annotated[Decimal, Field(gt=0, le=1000)]

CpuCores = Annotated[
    Decimal,
    BeforeValidator(cpu_cores),
    Field(ge=0),
    WithJsonSchema({"type": ["string", "number"], "description": "Kubernetes quantity: 500m, 2"}),
]
MemoryBytes = Annotated[
    int,
    BeforeValidator(memory_bytes),
    Field(ge=0),
    WithJsonSchema({"type": ["string", "integer"], "description": "Kubernetes quantity: 4Gi"}),
]

CURRENCY_PATTERN = r"^[A-Z]{3}$"
Currency = Annotated[str, StringConstraints(pattern=CURRENCY_PATTERN)]
"""An ISO 4217 code such as EUR or USD."""
