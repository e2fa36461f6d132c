"""Prices a policy's savings are computed with.

Allocation prices (what a core-hour really cost on that cluster, from the
allocated bill) when the warehouse has them, else the catalog's price sheet.
Every price is per canonical unit, as `costplane.catalog.Price.canonical`:

    cpu                                    per core-hour
    memory, storage, database_storage,     per GiB-hour (a month is 730 hours)
    snapshot, object_storage, log_retention, backup
    log_ingest, egress                     per GiB
    load_balancer                          per hour
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal, Protocol, get_args

from costplane.catalog import PriceSheet
from costplane.governance.inventory.resources import ResourceRef

PriceName = Literal[
    "cpu",
    "memory",
    "storage",
    "database_storage",
    "snapshot",
    "object_storage",
    "log_ingest",
    "log_retention",
    "backup",
    "load_balancer",
    "egress",
]
PRICE_NAMES: Final[tuple[str, ...]] = get_args(PriceName)


class Prices(Protocol):
    """A price per canonical unit for a resource; None when unknown."""

    def price(
        self, name: str, subject: ResourceRef, storage_class: str | None = None
    ) -> Decimal | None:
        """`storage_class` names the class for `storage`; other prices ignore it."""
        ...


class PriceSheetPrices:
    """The catalog's price sheet: the same price for every resource."""

    def __init__(self, sheet: PriceSheet) -> None:
        self.sheet = sheet

    def price(
        self, name: str, subject: ResourceRef, storage_class: str | None = None
    ) -> Decimal | None:
        if name == "storage":
            found = self.sheet.storage.get(storage_class or "")
            return found.canonical if found is not None else None
        if name not in PRICE_NAMES:
            return None
        price = getattr(self.sheet, name)
        assert price is not None
        canonical: Decimal = price.canonical
        return canonical
