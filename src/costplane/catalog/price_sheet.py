"""Prices for what has no bill, each with its unit and period stated.

A price reads `{amount: 0.10, unit: GiB-month}`. The unit is parsed, checked
against what the price is for (a CPU price must be per core and per time, an
egress price per byte amount and never per time), and normalised to one
canonical unit. A monthly price can never be read as an hourly one: the
mistake behind OpenCost issue #3781, which made on-premises cost 730 times
too low, cannot be written here.

Conventions: a month is 730 hours (8,760 / 12, as cloud price lists use), a
year 8,760 hours, a day 24; GB is 10^9 bytes and GiB 2^30.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, ClassVar

from pydantic import Field, WithJsonSchema, field_validator

from costplane.catalog.base import CatalogModel

HOURS = {"hour": Decimal(1), "day": Decimal(24), "month": Decimal(730), "year": Decimal(8760)}
"""Hours in each period a price may be stated per."""

GIB_IN = {
    "MiB": Decimal(1) / Decimal(1024),
    "GiB": Decimal(1),
    "TiB": Decimal(1024),
    "MB": Decimal(10**6) / Decimal(2**30),
    "GB": Decimal(10**9) / Decimal(2**30),
    "TB": Decimal(10**12) / Decimal(2**30),
}
"""GiB in one of each byte unit."""

HOURS_PER_MONTH = HOURS["month"]


class Dimension(enum.Enum):
    """What a price is per: its canonical unit is the value."""

    CPU_TIME = "core-hour"
    BYTES_TIME = "GiB-hour"
    BYTES = "GiB"
    TIME = "hour"


_QUANTITIES: dict[Dimension, frozenset[str | None]] = {
    Dimension.CPU_TIME: frozenset({"core"}),
    Dimension.BYTES_TIME: frozenset(GIB_IN),
    Dimension.BYTES: frozenset(GIB_IN),
    Dimension.TIME: frozenset({None}),
}
"""Which quantity unit each dimension takes; None means no quantity (per item)."""

PriceAmount = Annotated[
    Decimal,
    Field(ge=0, decimal_places=12),
    WithJsonSchema({"type": ["string", "number"], "description": "exact amount, >= 0"}),
]


def _unit_parts(unit: str) -> tuple[str | None, str | None]:
    """Split a unit: "GiB-month" -> ("GiB", "month"), "hour" -> (None, "hour").

    A dash always separates quantity and period, so "-month" has an empty quantity
    (which fits no price) rather than none.
    """
    if "-" not in unit:
        return (None, unit) if unit in HOURS else (unit, None)
    quantity, _, period = unit.rpartition("-")
    return quantity, period


class Price(CatalogModel):
    """An amount per unit; subclasses say which units fit what they price."""

    dimension: ClassVar[Dimension]
    example: ClassVar[str]

    amount: PriceAmount
    unit: str = Field(description="unit and period, e.g. core-hour, GiB-month, GiB, hour")

    @field_validator("unit")
    @classmethod
    def _unit_fits(cls, unit: str) -> str:
        quantity, period = _unit_parts(unit)
        wanted_quantity = _QUANTITIES[cls.dimension]
        wants_period = cls.dimension in (Dimension.CPU_TIME, Dimension.BYTES_TIME, Dimension.TIME)
        fits = quantity in wanted_quantity and (
            (period in HOURS) if wants_period else period is None
        )
        if not fits:
            raise ValueError(f"unit {unit!r} does not fit this price: expected {cls.example}")
        return unit

    @property
    def _canonical_units(self) -> Decimal:
        """How many canonical units (core-hours, GiB-hours, GiB, hours) the stated unit holds."""
        quantity, period = _unit_parts(self.unit)
        size = GIB_IN[quantity] if quantity is not None and quantity != "core" else Decimal(1)
        return size * (HOURS[period] if period is not None else Decimal(1))

    @property
    def canonical(self) -> Decimal:
        """The amount per canonical unit (per core-hour, GiB-hour, GiB or hour).

        One division, so one rounding: the unit factors themselves are exact.
        """
        return self.amount / self._canonical_units

    @property
    def per_month(self) -> Decimal:
        """The amount per canonical quantity per 730-hour month (time-based prices only).

        Computed from the stated amount, not from the rounded hourly rate, so a
        monthly price comes back exactly as written (450.10, not 450.0999...).
        """
        if self.dimension is Dimension.BYTES:
            raise ValueError("a per-quantity price has no monthly rate")
        return self.amount * HOURS_PER_MONTH / self._canonical_units


class CpuPrice(Price):
    dimension = Dimension.CPU_TIME
    example = "core-<hour|day|month|year>"


class ByteTimePrice(Price):
    dimension = Dimension.BYTES_TIME
    example = "<MiB|GiB|TiB|MB|GB|TB>-<hour|day|month|year>, e.g. GiB-month"


class BytePrice(Price):
    dimension = Dimension.BYTES
    example = "<MiB|GiB|TiB|MB|GB|TB> with no period, e.g. GiB"


class HourlyPrice(Price):
    dimension = Dimension.TIME
    example = "<hour|day|month|year> per unit, e.g. hour"


TERM_MONTHS = {"1y": 12, "3y": 36}
"""The commitment terms providers sell (reserved instances, savings plans, committed use)."""


class CommitmentOffer(CatalogModel):
    """A commitment the provider sells: so many units for a term, at a discount off the
    on-demand rate, paid whether used or not (`costplane recommend commitments`).

    The discount is a fraction of the on-demand price, never an amount: what a unit costs
    on demand is read from the bill, so the same offer prices every size the bill shows.
    """

    term: str = Field(description="how long the commitment binds: 1y or 3y")
    discount: Decimal = Field(
        gt=0, lt=1, description="fraction off the on-demand rate, e.g. 0.28 for 28 % (0 < d < 1)"
    )
    unit: str = Field(
        "hour",
        description="what one committed unit is: an instance-hour (the bill's usage in hours)",
    )
    resource_types: list[str] = Field(
        default_factory=list,
        description="the FOCUS ResourceTypes it covers (e.g. Virtual Machine); empty: any "
        "resource billed by the hour",
    )

    @field_validator("term")
    @classmethod
    def _known_term(cls, term: str) -> str:
        if term not in TERM_MONTHS:
            raise ValueError(f"term {term!r}: expected one of {', '.join(TERM_MONTHS)}")
        return term

    @field_validator("unit")
    @classmethod
    def _per_hour(cls, unit: str) -> str:
        if unit != "hour":
            raise ValueError(
                f"unit {unit!r} does not fit a commitment: expected hour (one unit running "
                "for an hour, as the bill counts instance-hours)"
            )
        return unit


class PriceSheet(CatalogModel):
    """What each resource costs when no bill says so (on-premises, or before the bill arrives)."""

    cpu: CpuPrice = Field(description="per core per period")
    memory: ByteTimePrice = Field(description="per memory byte unit per period")
    storage: dict[str, ByteTimePrice] = Field(
        min_length=1, description="per storage class name: per byte unit per period"
    )
    database_storage: ByteTimePrice = Field(description="database storage beyond what a bill shows")
    snapshot: ByteTimePrice
    object_storage: ByteTimePrice
    log_ingest: BytePrice
    log_retention: ByteTimePrice
    backup: ByteTimePrice
    load_balancer: HourlyPrice = Field(description="per load balancer per period")
    egress: BytePrice
    commitments: list[CommitmentOffer] = Field(
        default_factory=list,
        description="commitments the provider sells (term and discount); none: no "
        "commitment is recommended",
    )
