"""Money as the pages show it: to the cent, with thousands separated; the exact amount
(the API's decimal string) kept beside it in a `data-amount` attribute."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup, escape

CENT = Decimal("0.01")


def amount(value: Decimal | None) -> str:
    """`12,345.68`; an em dash for no amount (a finding whose waste is not priced)."""
    if value is None:
        return "—"
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def percent(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{value.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)} %"


def money_cell(value: Decimal | None) -> Markup:
    """A table cell of money: shown rounded, the exact amount in `data-amount`."""
    exact = "" if value is None else format(value, "f")
    return Markup('<td class="num" data-amount="{}">{}</td>').format(escape(exact), amount(value))


def moment(value: dt.datetime | None) -> str:
    """A time to the second (the state store keeps microseconds no reader needs), UTC."""
    return "" if value is None else f"{value:%Y-%m-%d %H:%M:%S}"
