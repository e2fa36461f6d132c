"""Money is exact: Decimal everywhere people see or sum amounts, rounded once, half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(amount: Decimal | int | None) -> Decimal:
    """An amount rounded to the cent, half away from zero as invoices round; None is zero."""
    return Decimal(amount or 0).quantize(CENT, rounding=ROUND_HALF_UP)
