"""A governance run: policies over one inventory, with the facts and prices it has, giving
findings. Two sources:

- the warehouse (`govern_warehouse`): each cluster's latest inventory snapshot, the
  databases, caches and backup sets the warehouse knows, every fact; the run judges
  the instant of the newest snapshot (not the wall clock), so it is repeatable;
- a directory of manifests (`govern_manifests`), the pull-request check of a GitOps
  repository: no warehouse, so policies whose filters need warehouse facts are skipped
  and say so, and those whose money alone needs them find with an unknown amount;
  relations between the manifests and the catalog's entitlements still count.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from costplane.catalog import Catalog
from costplane.governance.engine import PolicyEngine
from costplane.governance.facts.catalog import CatalogFacts
from costplane.governance.facts.fact import Facts, FactSources
from costplane.governance.facts.inventory import InventoryFacts
from costplane.governance.facts.ownership import OwnershipFacts
from costplane.governance.facts.warehouse import WarehouseFacts
from costplane.governance.facts.window import aware_utc, naive_utc
from costplane.governance.findings import Finding, findings_of
from costplane.governance.inventory.resources import Inventory
from costplane.governance.inventory_sources import (
    latest_inventory,
    manifests_inventory,
    stored_inventory,
)
from costplane.governance.ownership import Ownership
from costplane.governance.policy import Policy
from costplane.governance.resources_warehouse import add_warehouse_resources
from costplane.governance.results import PolicyResult
from costplane.governance.savings.prices import Prices, PriceSheetPrices
from costplane.governance.savings.prices_allocation import AllocationPrices
from costplane.warehouse import Warehouse

PRICE_WINDOW = dt.timedelta(days=30)
DEFAULT_CURRENCY = "EUR"


class PriceSource(enum.StrEnum):
    """Where savings take CPU and memory prices from."""

    SHEET = "sheet"
    ALLOCATION = "allocation"


@dataclass(frozen=True)
class Review:
    """What a run found, at which instant, and what it could not judge."""

    at: dt.datetime
    results: list[PolicyResult]
    findings: list[Finding]
    remarks: tuple[str, ...] = ()
    """What the run noticed about its input (no inventory, ...)."""

    @property
    def ran(self) -> list[str]:
        """Policies that were evaluated (not skipped)."""
        return [r.policy.id for r in self.results if r.skipped is None]

    @property
    def skipped(self) -> list[tuple[str, str]]:
        """Policies that were not evaluated, and why (the facts they lacked)."""
        return [(r.policy.id, r.skipped) for r in self.results if r.skipped]

    @property
    def notes(self) -> list[str]:
        """Remarks, unknown amounts and unreadable values, one line each (not the skipped
        policies: a run on manifests skips a dozen, which `skipped` lists)."""
        lines = list(self.remarks)
        lines += [
            f"{r.policy.id}: monthly waste unknown: {r.waste_unknown}"
            for r in self.results
            if r.waste_unknown and r.match_count
        ]
        for result in self.results:
            for problem in result.unreadable:
                ref = problem.resource
                where = f"{ref.kind} {ref.namespace + '/' if ref.namespace else ''}{ref.name}"
                lines.append(
                    f"{result.policy.id}: {where}: {problem.where}: cannot read "
                    f"{problem.value!r}: {problem.reason}"
                )
        return lines


def govern_warehouse(
    warehouse: Warehouse,
    catalog: Catalog,
    policies: Sequence[Policy],
    *,
    at: dt.datetime | None = None,
    prices: PriceSource = PriceSource.SHEET,
) -> Review:
    """Judge the warehouse's latest inventory (at or before `at`) and what it knows."""
    ownership = Ownership(catalog)
    latest = latest_inventory(warehouse, naive_utc(at) if at is not None else None)
    taken = latest.newest
    moment = at or (aware_utc(taken) if taken is not None else dt.datetime.now(dt.UTC))
    inventory = stored_inventory(latest, ownership)
    known = WarehouseFacts(warehouse, catalog)
    add_warehouse_resources(
        inventory,
        warehouse,
        catalog,
        naive_utc(moment),
        databases=known.databases,
        caches=known.caches,
        capacity=known.capacity,
    )
    facts = FactSources(
        known,
        InventoryFacts(inventory),
        OwnershipFacts(ownership, catalog),
        CatalogFacts(catalog),
    )
    priced = _prices(warehouse, catalog, moment, prices)
    review = _review(policies, inventory, moment, facts, priced, catalog, ownership)
    if not latest.objects:
        remark = "the warehouse holds no Kubernetes inventory (costplane collect kubernetes)"
        review = replace(review, remarks=(remark,))
    return review


def govern_manifests(
    directory: Path,
    catalog: Catalog | None,
    policies: Sequence[Policy],
    *,
    at: dt.datetime | None = None,
) -> Review:
    """Judge the Kubernetes manifests under `directory`, with the catalog's entitlements
    when there is a catalog; nothing is read from a warehouse."""
    ownership = Ownership(catalog)
    inventory = manifests_inventory(directory, ownership)
    sources: list[Facts] = [InventoryFacts(inventory), OwnershipFacts(ownership, catalog)]
    if catalog is not None:
        sources.append(CatalogFacts(catalog))
    prices = PriceSheetPrices(catalog.price_sheet) if catalog is not None else None
    moment = at or dt.datetime.now(dt.UTC)
    return _review(policies, inventory, moment, FactSources(*sources), prices, catalog, ownership)


def _review(
    policies: Sequence[Policy],
    inventory: Inventory,
    moment: dt.datetime,
    facts: Facts,
    prices: Prices | None,
    catalog: Catalog | None,
    ownership: Ownership,
) -> Review:
    results = PolicyEngine(policies).evaluate(inventory, now=moment, facts=facts, prices=prices)
    findings = findings_of(
        results,
        currency=catalog.currency if catalog is not None else DEFAULT_CURRENCY,
        likely_tenant=ownership.likely_tenant,
    )
    return Review(moment, results, findings)


def savings_prices(
    warehouse: Warehouse, catalog: Catalog, moment: dt.datetime, source: PriceSource
) -> Prices:
    """The prices savings are computed with at `moment`: the price sheet, or the allocation's
    (the 30 days before it); what `costplane recommend workloads` prices with too."""
    return _prices(warehouse, catalog, moment, source)


def _prices(
    warehouse: Warehouse, catalog: Catalog, moment: dt.datetime, source: PriceSource
) -> Prices:
    if source is PriceSource.SHEET:
        return PriceSheetPrices(catalog.price_sheet)
    end = naive_utc(moment).date()
    return AllocationPrices.from_warehouse(
        warehouse, catalog.price_sheet, end - dt.timedelta(days=PRICE_WINDOW.days), end
    )
