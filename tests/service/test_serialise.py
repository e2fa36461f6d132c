"""`to_document`: what the JSON output of every surface is made of."""

from __future__ import annotations

import datetime as dt
import enum
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from costplane.allocation import KindCosts, ReconciledDay
from costplane.catalog import ChargebackRules
from costplane.service import as_row, to_document


class Colour(enum.StrEnum):
    RED = "red"


@dataclass(frozen=True)
class Line:
    when: dt.date
    amount: Decimal
    colour: Colour
    where: Path
    costs: KindCosts
    tags: tuple[str, ...] = ()


def test_money_is_a_plain_decimal_string_never_a_float_or_an_exponent() -> None:
    assert to_document(Decimal("0E-9")) == "0.000000000"
    assert to_document(Decimal("1.10")) == "1.10"
    assert to_document([Decimal("12.5")]) == ["12.5"]


def test_a_dataclass_is_its_fields_in_order_then_its_computed_values() -> None:
    day = ReconciledDay(
        date=dt.date(2026, 10, 1),
        billed=Decimal("10.00"),
        allocated=Decimal("6.00"),
        shared=Decimal("1.00"),
        idle=Decimal("1.50"),
        unallocated=Decimal("0.50"),
    )
    document = to_document(day)
    assert list(document) == [
        "date",
        "billed",
        "allocated",
        "shared",
        "idle",
        "unallocated",
        "difference",
    ]
    assert document["date"] == "2026-10-01"
    assert document["difference"] == "1.00"


def test_nested_values_become_json_types() -> None:
    line = Line(
        when=dt.date(2026, 10, 2),
        amount=Decimal("3.000000000"),
        colour=Colour.RED,
        where=Path("out/focus.csv"),
        costs=KindCosts(direct=Decimal("2"), idle=Decimal("1")),
        tags=("a", "b"),
    )
    document = to_document(line)
    assert json.loads(json.dumps(document)) == document  # nothing but JSON types
    assert document["colour"] == "red"
    assert document["where"] == "out/focus.csv"
    assert document["costs"]["total"] == "3"
    assert document["tags"] == ["a", "b"]


def test_a_pydantic_model_is_its_fields() -> None:
    rules = ChargebackRules(markup_percent=Decimal(10))
    assert to_document(rules) == {
        "markup_percent": "10",
        "minimum_monthly": "0",
        "rounding": "0.01",
        "include_shared": True,
        "include_idle": False,
    }


def test_as_row_keeps_the_values_for_a_table_to_round() -> None:
    costs = KindCosts(direct=Decimal("1.234"))
    assert as_row(costs)["direct"] == Decimal("1.234")
    assert as_row(costs)["total"] == Decimal("1.234")
