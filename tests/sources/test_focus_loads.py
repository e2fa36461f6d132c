"""One load per billing account and billing period: loading it again replaces it, parts
of it given together are merged, and the files of one command land in one transaction."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.errors import IngestConflictError, InputError
from costplane.sources.focus import read_focus_bill
from costplane.warehouse import LoadShrankError, Warehouse
from tests.sources.conftest import rows, write_bill

MARCH = (dt.datetime(2025, 3, 1), dt.datetime(2025, 4, 1))
APRIL = {
    "BillingPeriodStart": "2025-04-01T00:00:00Z",
    "BillingPeriodEnd": "2025-05-01T00:00:00Z",
    "ChargePeriodStart": "2025-04-02T00:00:00Z",
    "ChargePeriodEnd": "2025-04-03T00:00:00Z",
}


def load(warehouse: Warehouse, *paths: Path, allow_shrink: bool = False) -> None:
    with read_focus_bill(list(paths)) as bill:
        warehouse.ingest(bill.loads, allow_shrink=allow_shrink)


def held(warehouse: Warehouse) -> tuple[int, Decimal]:
    lines = warehouse.table("billing_lines")
    count = lines.count().to_pyarrow().as_py()
    return count, Decimal(lines.billed_cost.sum().to_pyarrow().as_py() or 0)


def periods(warehouse: Warehouse) -> list[tuple[str, dt.datetime, dt.datetime, int]]:
    return [(r.scope, r.period_start, r.period_end, r.rows) for r in warehouse.loads()]


def test_loading_a_period_again_replaces_it(warehouse: Warehouse, tmp_path: Path) -> None:
    load(warehouse, write_bill(tmp_path / "march.csv", rows(3)))
    load(warehouse, write_bill(tmp_path / "april.csv", rows(1, **APRIL)))
    corrected = write_bill(tmp_path / "march-v2.csv", rows(2, BilledCost="10"))
    load(warehouse, corrected, allow_shrink=True)  # a third fewer rows: asked for
    assert held(warehouse) == (3, Decimal("32.5"))
    assert periods(warehouse) == [
        ("012345678901", dt.datetime(2025, 4, 1), dt.datetime(2025, 5, 1), 1),
        ("012345678901", *MARCH, 2),
    ]


def test_parts_of_one_period_given_together_are_one_load(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    """An exporter that splits a month into parts: the month is their sum, loaded as one."""
    part1 = write_bill(tmp_path / "part-1.csv", rows(2))
    part2 = write_bill(tmp_path / "part-2.csv", rows(3, BilledCost="1"))
    with read_focus_bill([part1, part2]) as bill:
        [march] = bill.loads
        assert [(f.rows, f.billed_cost) for f in bill.files] == [(2, Decimal(25)), (3, Decimal(3))]
        warehouse.ingest(bill.loads)
    assert (march.scope, march.period_start, march.period_end) == ("012345678901", *MARCH)
    assert held(warehouse) == (5, Decimal("28"))
    lines = warehouse.table("billing_lines").to_pyarrow().to_pylist()
    assert sorted((r["source_file"], r["source_row"]) for r in lines) == [
        ("part-1.csv", 2),
        ("part-1.csv", 3),
        ("part-2.csv", 2),
        ("part-2.csv", 3),
        ("part-2.csv", 4),
    ]
    with pytest.raises(LoadShrankError, match=r"part-1\.csv: .* 2 rows where load 1 holds 5"):
        load(warehouse, part1)  # a period is replaced whole: part 1 alone would be the month
    assert held(warehouse) == (5, Decimal("28"))
    load(warehouse, part1, allow_shrink=True)
    assert held(warehouse) == (2, Decimal("25"))


def test_one_file_with_several_accounts_and_months_makes_a_load_each(
    warehouse: Warehouse, tmp_path: Path
) -> None:
    records = rows(2) + rows(2, **APRIL) + rows(1, BillingAccountId="000777")
    load(warehouse, write_bill(tmp_path / "bill.csv", records))
    assert [(scope, start.month, n) for scope, start, _, n in periods(warehouse)] == [
        ("000777", 3, 1),
        ("012345678901", 3, 2),
        ("012345678901", 4, 2),
    ]


def test_the_files_of_one_command_are_one_transaction(warehouse: Warehouse, tmp_path: Path) -> None:
    good = write_bill(tmp_path / "good.csv", rows(2))
    overlapping = rows(
        1,
        BillingPeriodStart="2025-03-15T00:00:00Z",
        BillingPeriodEnd="2025-04-15T00:00:00Z",
        ChargePeriodStart="2025-03-16T00:00:00Z",
        ChargePeriodEnd="2025-03-17T00:00:00Z",
    )
    clash = write_bill(tmp_path / "clash.csv", overlapping)
    with pytest.raises(IngestConflictError, match="overlaps load"):
        load(warehouse, good, clash)
    assert periods(warehouse) == []


def test_a_bill_given_twice_is_refused(tmp_path: Path) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(2))
    with pytest.raises(InputError, match="given twice; its charges would be counted twice"):
        read_focus_bill([bill, tmp_path / "." / "bill.csv"])
    copy = tmp_path / "copy.csv"
    shutil.copyfile(bill, copy)
    with pytest.raises(InputError, match=r"same content as .*bill\.csv: loading both would count"):
        read_focus_bill([bill, copy])


def test_a_header_only_file_loads_nothing(warehouse: Warehouse, tmp_path: Path) -> None:
    bill = tmp_path / "empty.csv"
    bill.write_text(write_bill(tmp_path / "x.csv", rows(1)).read_text().splitlines()[0] + "\n")
    with read_focus_bill([bill]) as checked:
        [file] = checked.files
        assert (file.rows, file.billing_periods, file.billed_cost) == (0, (), Decimal(0))
        assert checked.loads == []


def test_the_scratch_files_are_removed(tmp_path: Path) -> None:
    with read_focus_bill([write_bill(tmp_path / "bill.csv", rows(2))]) as bill:
        [data] = [load.data for load in bill.loads]
        assert isinstance(data, Path)
        assert data.is_file()
    assert not data.exists()
