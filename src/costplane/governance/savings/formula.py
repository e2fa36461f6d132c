"""A policy's savings: the monthly amount a matched resource wastes, as arithmetic.

    savings:
      monthly: replicas * max(0, cpu_request - cpu_p95) * price.cpu * HOURS_PER_MONTH
      where:
        replicas: {key: spec.replicas}
        cpu_request: {key: "spec.template.spec.containers[*].resources.requests.cpu",
                      value_type: quantity, aggregate: sum}
        cpu_p95: {fact: cpu_p95_cores, window: 14d}

`monthly` is an expression (see expression.py) over the names in `where`,
`price.NAME` (per canonical unit: see prices.py), and the constants
HOURS_PER_MONTH (730) and GiB (2^30). A `where` name is a key path into the
resource (`aggregate` sums, or takes the max, min or count of, the values of a
`[*]` path), a fact, or a price (`{price: storage, class_key: spec.storageClassName}`).
`savings: 0` (the default) says the policy finds risk, not waste. A value that
is missing (no `default`) makes the amount unknown rather than wrong. Amounts are
in the catalog's currency, to 18 decimal places.
"""

from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from costplane.governance.facts.fact import FactType
from costplane.governance.filters.aggregates import Aggregate, aggregate
from costplane.governance.filters.operands import FactRef
from costplane.governance.filters.spec import Scope
from costplane.governance.filters.value_types import ValueType, resource_reader
from costplane.governance.inventory.columns import Column, Rows, extract
from costplane.governance.inventory.paths import KeyPathText, parse_path, read_path
from costplane.governance.problems import invalid
from costplane.governance.savings.expression import CONSTANTS, Expression, parse_expression
from costplane.governance.savings.prices import PRICE_NAMES, PriceName, Prices

MONEY_PLACES = Decimal("1e-18")
"""Amounts are computed with 60 digits and kept to 18 places (the warehouse's money
scale): a price per hour is a division (23 per core-month is 0.0315068... per core-hour,
to 28 digits), and its last digit must not show up as 86.25000000000000000000000004."""
_NUMERIC_FACTS = frozenset(
    {FactType.QUANTITY, FactType.BYTES, FactType.DURATION, FactType.PERCENT, FactType.NUMBER}
)


class _Operand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyOperand(_Operand):
    """A number read from the resource."""

    key: KeyPathText
    value_type: ValueType | None = None
    aggregate: Aggregate | None = Field(default=None, description="for a key with [*]")
    default: Decimal | None = Field(default=None, description="when the key is absent")

    @model_validator(mode="after")
    def _aggregate_fits(self) -> KeyOperand:
        wildcard = parse_path(self.key).has_wildcard
        if wildcard and self.aggregate is None:
            invalid(
                "aggregate", "a key with [*] reads many values: add aggregate: sum|max|min|count"
            )
        if not wildcard and self.aggregate is not None:
            invalid("aggregate", "aggregate applies only to a key with [*]", self.aggregate)
        if self.value_type is ValueType.AGE:
            invalid("value_type", "savings use amounts: age is not one", self.value_type)
        return self


class FactOperand(FactRef):
    """A number the warehouse knows (a fact of a numeric type)."""

    default: Decimal | None = Field(default=None, description="when the fact is unknown")

    @model_validator(mode="after")
    def _numeric(self) -> FactOperand:
        kind = self.type
        if kind is not None and kind not in _NUMERIC_FACTS:
            invalid("fact", f"fact {self.fact} is a {kind}, not an amount", self.fact)
        return self


class PriceOperand(_Operand):
    """A price per canonical unit; `storage` needs its class, named or read from the resource."""

    price: PriceName
    storage_class: str | None = None
    class_key: KeyPathText | None = Field(
        default=None, description="path to the storage class name"
    )

    @model_validator(mode="after")
    def _class_fits(self) -> PriceOperand:
        named = self.storage_class is not None or self.class_key is not None
        if self.price == "storage" and not named:
            invalid("price", "the storage price needs storage_class or class_key", self.price)
        if self.price != "storage" and named:
            invalid("price", "only the storage price takes a storage class", self.price)
        return self


def _operand_kind(raw: Any) -> str | None:
    if isinstance(raw, dict):
        return next((kind for kind in ("key", "fact", "price") if kind in raw), None)
    return next((kind for kind in ("key", "fact", "price") if hasattr(raw, kind)), None)


Operand = Annotated[
    Annotated[KeyOperand, Tag("key")]
    | Annotated[FactOperand, Tag("fact")]
    | Annotated[PriceOperand, Tag("price")],
    Discriminator(
        _operand_kind,
        custom_error_type="policy",
        custom_error_message="a where entry is {key: PATH}, {fact: NAME} or {price: NAME}",
    ),
]

_PRICE_NAMES = frozenset(f"price.{name}" for name in PRICE_NAMES if name != "storage")


class Savings(BaseModel):
    """The monthly waste of one matched resource, in the catalog's currency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    monthly: str = Field(default="0", description="an arithmetic expression, e.g. size_gib * 2")
    where: dict[str, Operand] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        """`savings: 0` or `savings: "expression"` when no names are needed."""
        if isinstance(data, str | int | Decimal) and not isinstance(data, bool):
            return {"monthly": str(data)}
        if isinstance(data, dict) and isinstance(data.get("monthly"), int | Decimal):
            return {**data, "monthly": str(data["monthly"])}
        return data

    @field_validator("monthly")
    @classmethod
    def _parses(cls, text: str) -> str:
        parse_expression(text)
        return text

    @model_validator(mode="after")
    def _names_known(self) -> Savings:
        used = self.expression.names
        for name in self.where:
            if "." in name or name in CONSTANTS:
                invalid(("where", name), f"{name!r} cannot be a where name (dots, or a constant)")
            if name not in used:
                invalid(("where", name), f"{name!r} is not used by monthly: {self.monthly}")
        for name in sorted(used - set(self.where) - set(CONSTANTS) - _PRICE_NAMES):
            known = ", ".join(sorted(_PRICE_NAMES | set(CONSTANTS)))
            invalid("monthly", f"unknown name {name!r}: define it under where, or use {known}")
        return self

    @property
    def expression(self) -> Expression:
        return parse_expression(self.monthly)

    @property
    def is_zero(self) -> bool:
        return not self.where and self.expression.evaluate({}) == 0

    def fact_names(self) -> frozenset[str]:
        return frozenset(o.fact for o in self.where.values() if isinstance(o, FactOperand))


Evidence = dict[str, Decimal | None]
"""The values an amount was computed from, by `where` name (and `price.X`): what the policy
compared, shown with the finding (`costplane findings show`)."""


def monthly_waste(
    savings: Savings, scope: Scope, rows: Rows, prices: Prices | None
) -> list[Decimal | None]:
    """The amount for each matched row (None where a value it needs is unknown)."""
    return priced_rows(savings, scope, rows, prices)[0]


def priced_rows(
    savings: Savings, scope: Scope, rows: Rows, prices: Prices | None
) -> tuple[list[Decimal | None], list[Evidence]]:
    """The amount for each matched row, and the values it was computed from."""
    expression = savings.expression
    if savings.is_zero:
        return [Decimal(0)] * len(rows), [{} for _ in range(len(rows))]
    columns: dict[str, list[Decimal | None]] = {
        name: _operand_values(operand, scope, rows, prices)
        for name, operand in savings.where.items()
    }
    for name in expression.names & _PRICE_NAMES:
        operand = PriceOperand.model_validate({"price": name.removeprefix("price.")})
        columns[name] = _operand_values(operand, scope, rows, prices)
    amounts = []
    evidence: list[Evidence] = []
    with localcontext() as context:
        context.prec = 60
        for position in range(len(rows)):
            values = {name: got[position] for name, got in columns.items()}
            amount = expression.evaluate(values)
            amounts.append(amount.quantize(MONEY_PLACES) if amount is not None else None)
            evidence.append(values)
    return amounts, evidence


def _operand_values(
    operand: KeyOperand | FactOperand | PriceOperand,
    scope: Scope,
    rows: Rows,
    prices: Prices | None,
) -> list[Decimal | None]:
    if isinstance(operand, KeyOperand):
        return _key_values(operand, scope, rows)
    if isinstance(operand, FactOperand):
        facts = scope.fact_values(operand.request(scope.now), rows)
        path = operand.path
        found = [read_path(f, path.steps) if path is not None else f for f in facts]
        return [_amount(value, operand.default) for value in found]
    if prices is None:
        return [None] * len(rows)
    documents = scope.batch.documents
    answers: list[Decimal | None] = []
    for row in rows.tolist():
        storage_class = operand.storage_class
        if operand.class_key is not None:
            read = read_path(documents[row], parse_path(operand.class_key).steps)
            storage_class = read if isinstance(read, str) else None
        answers.append(prices.price(operand.price, scope.ref(row), storage_class))
    return answers


def _key_values(operand: KeyOperand, scope: Scope, rows: Rows) -> list[Decimal | None]:
    documents = scope.batch.documents
    steps = parse_path(operand.key).steps
    column = extract(Column.of([documents[row] for row in rows.tolist()]), steps)
    read = resource_reader(operand.value_type, scope.now)
    per_row: list[list[Decimal]] = [[] for _ in rows]
    owners = column.owner
    slots = range(len(column.values)) if column.present is None else column.present
    for slot, value in zip(slots, column.values, strict=True):
        row = int(owners[slot]) if owners is not None else int(slot)
        amount = _amount(_read(read, value), None)
        if amount is not None:
            per_row[row].append(amount)
    if operand.aggregate is None:
        return [values[0] if values else operand.default for values in per_row]
    return [aggregate(operand.aggregate, values, operand.default) for values in per_row]


def _read(read: Any, value: object) -> object:
    try:
        return read(value) if value is not None else None
    except ValueError:
        return None


def _amount(value: object, default: Decimal | None) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return default
    return Decimal(value)
