"""Billing files for the FOCUS reader's tests, warehouses on both engines to load them
into (`costplane` itself is run by the `cli` and `costplane` fixtures of tests/conftest.py).

`write_bill` writes a small, valid FOCUS 1.2 CSV bill whose rows a test then
spoils one cell at a time: row k of the list is line k + 1 of the file.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.warehouse import Warehouse, connect_warehouse

ROW: dict[str, str] = {
    "BillingAccountId": "012345678901",
    "BillingAccountName": "Acme Distribution",
    "BillingCurrency": "EUR",
    "BillingPeriodStart": "2025-03-01T00:00:00Z",
    "BillingPeriodEnd": "2025-04-01T00:00:00Z",
    "ChargePeriodStart": "2025-03-05T00:00:00Z",
    "ChargePeriodEnd": "2025-03-06T00:00:00Z",
    "ChargeCategory": "Usage",
    "ChargeClass": "",
    "ChargeDescription": "m7n.xlarge on demand",
    "ChargeFrequency": "Usage-Based",
    "BilledCost": "12.50",
    "EffectiveCost": "12.5",
    "ListCost": "13.00",
    "ContractedCost": "12.50",
    "PricingQuantity": "24",
    "PricingUnit": "Hours",
    "ProviderName": "Nimbus Cloud",
    "PublisherName": "Nimbus Cloud",
    "InvoiceIssuerName": "Nimbus Cloud",
    "InvoiceId": "INV-2025-03",
    "ServiceCategory": "Compute",
    "ServiceName": "Nimbus Compute",
    "ResourceId": "vm-1",
    "Tags": '{"tenant": "acme"}',
    "x_Team": "blue",
}
"""One good FOCUS 1.2 row: EUR, account 012345678901, March 2025."""

NULLS = {"", "NULL", "null", "Null"}


def rows(count: int, **changes: str) -> list[dict[str, str]]:
    """`count` good rows with distinct resources; `changes` apply to every row."""
    return [{**ROW, "ResourceId": f"vm-{i}", **changes} for i in range(1, count + 1)]


def write_bill(path: Path, records: Sequence[Mapping[str, str]], *, newline: str = "\n") -> Path:
    """A CSV bill; the header is the first row's keys."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(records[0]), lineterminator=newline)
        writer.writeheader()
        writer.writerows(records)
    return path


def csv_records(path: Path) -> list[dict[str, str]]:
    """A CSV bill's records as Python's csv module reads them (blank lines skipped)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return [dict(zip(header, record, strict=True)) for record in reader if record]


def csv_sum(records: list[dict[str, str]], column: str) -> Decimal:
    """The exact sum of a column, null cells skipped: what a bill's totals must equal."""
    return sum((Decimal(r[column]) for r in records if r[column] not in NULLS), Decimal(0))


@pytest.fixture
def focus_data(sample_data: Path) -> Path:
    return sample_data / "focus"


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def warehouse(warehouse_url: str) -> Iterator[Warehouse]:
    with connect_warehouse(warehouse_url) as opened:
        yield opened
