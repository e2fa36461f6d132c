"""The FOCUS bill: exact decimals, one subcategory per service, and the FinOps Foundation's
focus-validator finds nothing beyond its documented false positives (docs/fleet.md)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane_fleet import FleetSummary
from costplane_fleet.billing import MONEY, write_parquet
from tests.focus_validator import focus_validate

DOCS = Path(__file__).resolve().parents[2] / "docs" / "fleet.md"
FALSE_POSITIVES = {
    "InvoiceId-C-004-C": "an unconditional 'InvoiceId is null', one branch of InvoiceId-C-003-C",
}
"""Rules focus-validator 2.2.1 fails on any bill of this kind (see docs/fleet.md)."""
FALSE_POSITIVES_ALL_CRITERIA = {
    **FALSE_POSITIVES,
    "CapacityReservationStatus-C-004-C": "condition read as empty; no row has a reservation",
    "CapacityReservationStatus-C-002-C": "composite of C-004-C",
    "CapacityReservationStatus-C-000-C": "composite of C-002-C",
    "CommitmentDiscountStatus-C-004-C": "condition is 'CommitmentDiscountId is null'",
    "CommitmentDiscountStatus-C-002-C": "composite of C-004-C",
    "CommitmentDiscountStatus-C-000-C": "composite of C-002-C",
    "CostAndUsage-D-002-M": "composite of the column rules above",
    "CostAndUsage-D-000-M": "composite of CostAndUsage-D-002-M",
}
"""The same with every applicability criterion claimed (`--applicability-criteria ALL`)."""
COSTS = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "PricingCurrencyEffectiveCost",
)


def _bill(fleet: FleetSummary) -> pa.Table:
    return pa.concat_tables(pq.read_table(p) for p in sorted((fleet.out / "billing").iterdir()))


def test_bill_is_exact(fleet: FleetSummary) -> None:
    """Decimal money; every cost is unit price x quantity, rounded to 10^-10 only where the
    quantity is fractional; list = contracted = billed = effective."""
    bill = _bill(fleet)
    for name in (*COSTS, "ListUnitPrice", "PricingQuantity", "ConsumedQuantity"):
        assert bill.schema.field(name).type == MONEY, name
    billed = bill.column("BilledCost").to_pylist()
    for name in COSTS[1:]:
        assert bill.column(name).to_pylist() == billed, name
    prices = bill.column("ListUnitPrice").to_pylist()
    quantities = bill.column("PricingQuantity").to_pylist()
    step = Decimal(1).scaleb(-10)
    for cost, price, quantity in zip(billed, prices, quantities, strict=True):
        assert isinstance(cost, Decimal)
        assert cost == (price * quantity).quantize(step)
        if quantity == quantity.to_integral_value():
            assert cost == price * quantity


def test_each_service_has_one_subcategory(fleet: FleetSummary) -> None:
    bill = _bill(fleet)
    pairs = set(
        zip(
            bill.column("ServiceName").to_pylist(),
            bill.column("ServiceSubcategory").to_pylist(),
            strict=True,
        )
    )
    services = [service for service, _ in pairs]
    assert len(services) == len(set(services)), sorted(pairs)
    assert ("Nimbus Backup", "Backup Storage") in pairs
    issuers = set(bill.column("InvoiceIssuerName").to_pylist())
    assert issuers == set(bill.column("ProviderName").to_pylist())


def test_write_parquet_refuses_a_duplicated_dictionary(tmp_path: Path) -> None:
    column = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2], pa.int32()), ["a", "b", "a"])
    with pytest.raises(ValueError, match="duplicated dictionary"):
        write_parquet(pa.table({"x": column}), tmp_path / "x.parquet")


def test_docs_list_every_false_positive() -> None:
    text = DOCS.read_text()
    for rule in FALSE_POSITIVES_ALL_CRITERIA:
        assert rule in text, rule


@pytest.mark.slow
@pytest.mark.parametrize(
    ("criteria", "known"),
    [([], FALSE_POSITIVES), (["--applicability-criteria", "ALL"], FALSE_POSITIVES_ALL_CRITERIA)],
    ids=["default", "all-criteria"],
)
def test_focus_validator_finds_only_known_false_positives(
    fleet: FleetSummary, tmp_path: Path, criteria: list[str], known: dict[str, str]
) -> None:
    listed = tmp_path / "known.txt"
    listed.write_text("".join(f"{rule}  # {why}\n" for rule, why in known.items()))
    for bill in sorted((fleet.out / "billing").iterdir()):
        done = focus_validate(bill, "--known", str(listed), *criteria)
        assert done.returncode == 0, f"{bill.name}:\n{done.stdout}\n{done.stderr[-2000:]}"
