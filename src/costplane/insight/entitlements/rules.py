"""How one entitlement is judged against its use: the status and the money at stake.

Three kinds of entitlement, each with its own direction (docs/service-classes.md):

- capacity (CPU and memory quota, database band, file store, object storage): `over`
  when use exceeds the entitlement, `unused` when it stays below `UNUSED_SHARE` of it
  (for the database band: below its minimum too), else `within`. Over, the money is
  the use beyond the entitlement at the price sheet's monthly price (what the fee does
  not cover); unused, the headroom the fee pays for and nobody uses, at the same price.
- service level, more is better (log retention, HA replicas): `over` when the tenant
  gets more than its class (the platform carries the cost), `short` when it gets less
  (the tenant does not get what it pays for), else `within`.
- objective, less is better (achieved RPO, days since the last verified restore):
  `over` when the objective is missed, else `within`; no money (a missed objective is
  a risk, not a resource).

`unmetered` is an entitlement the class does not bound (file store, object storage
until the catalog says); `unknown` is one no fact measured. Neither carries money.
"""

from __future__ import annotations

import enum
from decimal import ROUND_HALF_UP, Decimal

UNUSED_SHARE = Decimal("0.20")
"""Below this share of its entitlement, capacity counts as unused (the default)."""

CENT = Decimal("0.01")


class Status(enum.StrEnum):
    WITHIN = "within"
    OVER = "over"
    UNUSED = "unused"
    SHORT = "short"
    UNMETERED = "unmetered"
    UNKNOWN = "unknown"


def capacity_status(
    used: Decimal | None,
    entitled: Decimal | None,
    floor: Decimal = Decimal(0),
    unused_share: Decimal = UNUSED_SHARE,
) -> Status:
    """Over the entitlement, below `unused_share` of it (or below `floor`), or within."""
    if entitled is None:
        return Status.UNMETERED
    if used is None:
        return Status.UNKNOWN
    if used > entitled:
        return Status.OVER
    if used < max(floor, entitled * unused_share):
        return Status.UNUSED
    return Status.WITHIN


def level_status(used: Decimal | None, entitled: Decimal) -> Status:
    """More than the class (over), less (short), or the same (within)."""
    if used is None:
        return Status.UNKNOWN
    if used > entitled:
        return Status.OVER
    return Status.SHORT if used < entitled else Status.WITHIN


def objective_status(achieved: Decimal | None, objective: Decimal) -> Status:
    """Missed (over) or met (within); nothing achieved is a miss when it can be measured."""
    if achieved is None:
        return Status.OVER
    return Status.OVER if achieved > objective else Status.WITHIN


def capacity_amount(
    status: Status, used: Decimal | None, entitled: Decimal | None, monthly_price: Decimal
) -> Decimal:
    """Over: (used - entitled) x price; unused: (entitled - used) x price; else 0.

    Rounded half up to the cent once, from the figures the report shows.
    """
    if used is None or entitled is None:
        return Decimal("0.00")
    if status is Status.OVER:
        return money((used - entitled) * monthly_price)
    if status is Status.UNUSED:
        return money((entitled - used) * monthly_price)
    return Decimal("0.00")


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
