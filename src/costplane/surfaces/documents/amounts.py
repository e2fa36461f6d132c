"""Amounts as the documents print them: to the cent, half up, with thousands separators."""

from __future__ import annotations

from decimal import Decimal

from costplane.money import cents


def money(amount: Decimal | None) -> str:
    """`1,234.56`; an empty cell for None."""
    return "" if amount is None else f"{cents(amount):,.2f}"


def number(value: Decimal | None) -> str:
    """A quantity as measured (no trailing zeros lost or added); empty for None."""
    return "" if value is None else f"{value:,f}"


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value:f} %"
