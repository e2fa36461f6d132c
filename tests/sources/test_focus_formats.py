"""CSV, gzip CSV and Parquet, and the leniencies real bills need (docs/billing.md)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane.errors import InputProblemsError
from costplane.sources.focus import (
    FocusOptions,
    read_focus_bill,
    read_focus_periods,
)
from costplane.warehouse import Warehouse
from tests.sources.conftest import ROW, rows, write_bill


def loaded(path: Path, options: FocusOptions | None = None) -> list[dict[str, object]]:
    """The billing_lines rows a file becomes, in file order."""
    periods = read_focus_periods(path, options)
    lines = [row for p in periods if isinstance(p.rows, pa.Table) for row in p.rows.to_pylist()]
    return sorted(lines, key=lambda row: row["source_row"])


def problems(path: Path, options: FocusOptions | None = None) -> list[str]:
    with pytest.raises(InputProblemsError) as refused:
        read_focus_bill([path], options)
    return [str(p) for p in refused.value.problems]


def test_gzip_csv_reads_like_csv(tmp_path: Path) -> None:
    plain = write_bill(tmp_path / "bill.csv", rows(3))
    packed = tmp_path / "bill.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert [r["billed_cost"] for r in loaded(packed)] == [Decimal("12.5")] * 3
    assert loaded(packed) == [{**r, "source_file": "bill.csv.gz"} for r in loaded(plain)]
    spoiled = rows(3)
    spoiled[2]["BilledCost"] = "twelve"
    plain = write_bill(tmp_path / "bad.csv", spoiled)
    packed = tmp_path / "bad.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert problems(packed) == [f"{packed}:4: BilledCost: not a decimal: 'twelve'"]


def test_a_leading_zero_account_id_stays_a_string(tmp_path: Path, warehouse: Warehouse) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(2, BillingAccountId="012345678901"))
    with read_focus_bill([bill]) as checked:
        [load] = checked.loads
        warehouse.ingest(checked.loads)
    assert load.scope == "012345678901"
    stored = warehouse.table("billing_lines").billing_account_id.to_pyarrow().to_pylist()
    assert stored == ["012345678901", "012345678901"]


def parquet_bill(path: Path, **columns: pa.Array) -> Path:
    """A two-row typed Parquet bill: the fleet generator's types unless overridden."""
    utc = pa.timestamp("us", "UTC")
    money = pa.decimal128(38, 10)
    base: dict[str, pa.Array] = {
        name: pa.array([value] * 2, pa.string())
        for name, value in ROW.items()
        if not name.endswith(("Cost", "Start", "End", "Quantity"))
    }
    base |= {
        "BillingPeriodStart": pa.array([dt.datetime(2025, 3, 1, tzinfo=dt.UTC)] * 2, utc),
        "BillingPeriodEnd": pa.array([dt.datetime(2025, 4, 1, tzinfo=dt.UTC)] * 2, utc),
        "ChargePeriodStart": pa.array([dt.datetime(2025, 3, 5, tzinfo=dt.UTC)] * 2, utc),
        "ChargePeriodEnd": pa.array([dt.datetime(2025, 3, 6, tzinfo=dt.UTC)] * 2, utc),
        "BilledCost": pa.array([Decimal("12.5"), Decimal("0.0000000001")], money),
        "EffectiveCost": pa.array([Decimal("12.5"), Decimal("0")], money),
        "ListCost": pa.array([Decimal("13"), None], money),
        "ContractedCost": pa.array([Decimal("12.5"), None], money),
        "PricingQuantity": pa.array([Decimal("24"), Decimal("1")], money),
        "Tags": pa.array([{"tenant": "acme"}, None], pa.map_(pa.string(), pa.string())),
    }
    pq.write_table(pa.table(base | columns), path)
    return path


def test_parquet_keeps_its_types(tmp_path: Path, warehouse: Warehouse) -> None:
    bill = parquet_bill(tmp_path / "bill.parquet")
    lines = loaded(bill)
    assert [r["billed_cost"] for r in lines] == [Decimal("12.5"), Decimal("0.0000000001")]
    assert [r["source_row"] for r in lines] == [1, 2]
    assert lines[0]["billing_period_start"] == dt.datetime(2025, 3, 1)
    assert json.loads(str(lines[0]["tags"])) == {"tenant": "acme"}
    assert json.loads(str(lines[0]["extra_columns"])) == {"x_Team": "blue"}
    assert lines[0]["billing_account_id"] == "012345678901"
    with read_focus_bill([bill]) as checked:
        [file] = checked.files
        warehouse.ingest(checked.loads)
    assert (file.rows, file.billed_cost, file.list_cost) == (
        2,
        Decimal("12.5000000001"),
        Decimal(13),
    )
    total = warehouse.table("billing_lines").billed_cost.sum().to_pyarrow().as_py()
    assert total == Decimal("12.5000000001")


def test_parquet_floats_are_read_through_their_shortest_text(tmp_path: Path) -> None:
    floats = pa.array([0.1, 123456.789], pa.float64())
    bill = parquet_bill(tmp_path / "bill.parquet", BilledCost=floats, EffectiveCost=floats)
    lines = loaded(bill)
    assert [r["billed_cost"] for r in lines] == [Decimal("0.1"), Decimal("123456.789")]
    with read_focus_bill([bill]) as checked:
        assert checked.files[0].billed_cost == Decimal("123456.889")


def test_parquet_problems_name_the_row(tmp_path: Path) -> None:
    bill = parquet_bill(
        tmp_path / "bill.parquet",
        BilledCost=pa.array([12.5, float("nan")]),
        BillingCurrency=pa.array(["EUR", "euro"]),
    )
    assert problems(bill) == [
        f"{bill}:2: BillingCurrency: not an ISO 4217 currency code: 'euro'",
        f"{bill}:2: BilledCost: not a decimal: 'nan'",
    ]


def test_null_tokens_spaces_and_naive_times_are_read_as_documented(tmp_path: Path) -> None:
    records = rows(
        4,
        ChargePeriodStart="2025-03-05 00:00:00",
        ChargePeriodEnd="2025-03-06",
        BillingPeriodStart="2025-03-01T02:00:00+02:00",
        BillingPeriodEnd="2025-04-01T00:00:00.000Z",
    )
    records[0]["ContractedCost"] = "NULL"
    records[1]["ContractedCost"] = "null"
    records[2]["ContractedCost"] = ""
    records[3]["ContractedCost"] = "8.0E-7"
    lines = loaded(write_bill(tmp_path / "bill.csv", records))
    assert [r["contracted_cost"] for r in lines] == [None, None, None, Decimal("0.0000008")]
    assert {r["billing_period_start"] for r in lines} == {dt.datetime(2025, 3, 1)}
    assert {r["billing_period_end"] for r in lines} == {dt.datetime(2025, 4, 1)}
    assert {r["charge_period_start"] for r in lines} == {dt.datetime(2025, 3, 5)}
    assert {r["charge_period_end"] for r in lines} == {dt.datetime(2025, 3, 6)}


def test_names_and_enumerations_are_matched_ignoring_case(tmp_path: Path) -> None:
    records = [
        {("SkuPriceid" if k == "ResourceId" else k): v for k, v in row.items()}
        for row in rows(1, ChargeFrequency="usage-based", ChargeCategory="USAGE")
    ]
    [line] = loaded(write_bill(tmp_path / "bill.csv", records))
    assert line["sku_price_id"] == "vm-1"
    assert (line["charge_frequency"], line["charge_category"]) == ("Usage-Based", "Usage")


def test_columns_the_warehouse_lacks_are_kept_per_row(tmp_path: Path) -> None:
    records = rows(2, ServiceProviderName="Nimbus", Id="7", SkuMeter="Hours")
    records[1]["Id"] = "NULL"
    lines = loaded(write_bill(tmp_path / "bill.csv", records))
    assert [json.loads(str(r["extra_columns"])) for r in lines] == [
        {"x_Team": "blue", "ServiceProviderName": "Nimbus", "Id": "7", "SkuMeter": "Hours"},
        {"x_Team": "blue", "ServiceProviderName": "Nimbus", "Id": None, "SkuMeter": "Hours"},
    ]
    assert {r["focus_version"] for r in lines} == {"1.3"}


def test_versions_are_told_by_their_columns(tmp_path: Path) -> None:
    v12 = loaded(write_bill(tmp_path / "a.csv", rows(1)))
    no_invoice = [{k: v for k, v in ROW.items() if k != "InvoiceId"}]
    v10 = loaded(write_bill(tmp_path / "b.csv", no_invoice))
    v11 = loaded(write_bill(tmp_path / "c.csv", [{**no_invoice[0], "SkuMeter": "Hours"}]))
    assert [v10[0]["focus_version"], v11[0]["focus_version"], v12[0]["focus_version"]] == [
        "1.0",
        "1.1",
        "1.2",
    ]


def test_line_numbers_follow_crlf_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    records = rows(3)
    records[0]["ChargeDescription"] = "two\nlines"
    bill = write_bill(tmp_path / "bill.csv", records, newline="\r\n")
    text = bill.read_bytes().replace(b"\r\n", b"\r\n\r\n")  # an empty line after each record
    bill.write_bytes(b"\xef\xbb\xbf" + text.rstrip(b"\r\n"))  # a BOM, no final newline
    lines = loaded(bill)
    # line 1 header, 2 empty, 3-4 the first record (a quoted newline), 5 empty, 6, 7 empty, 8
    assert [r["source_row"] for r in lines] == [3, 6, 8]
    assert lines[0]["charge_description"] == "two\nlines"
    bill.write_bytes(bill.read_bytes().replace(b"12.50", b"12;50"))
    assert problems(bill)[::2] == [
        f"{bill}:3: BilledCost: not a decimal: '12;50'",
        f"{bill}:6: BilledCost: not a decimal: '12;50'",
        f"{bill}:8: BilledCost: not a decimal: '12;50'",
    ]


def test_dates_in_another_form_need_saying_so(tmp_path: Path) -> None:
    us = rows(
        1,
        BillingPeriodStart="3/1/25",
        BillingPeriodEnd="4/1/25",
        ChargePeriodStart="3/5/25",
        ChargePeriodEnd="3/6/25",
    )
    bill = write_bill(tmp_path / "bill.csv", us)
    assert len(problems(bill)) == 4
    [line] = loaded(bill, FocusOptions(date_formats=("%m/%d/%y",)))
    assert line["charge_period_start"] == dt.datetime(2025, 3, 5)
    # read the other way round, the charge falls outside its (one-day) billing period
    assert problems(bill, FocusOptions(date_formats=("%d/%m/%y",))) == [
        f"{bill}:2: ChargePeriodStart: 2025-05-03T00:00:00 is after the billing period "
        "[2025-01-03T00:00:00, 2025-01-04T00:00:00) that bills it"
    ]


def test_zero_is_exact_however_it_is_written(tmp_path: Path) -> None:
    records = rows(3)
    records[0]["ContractedCost"] = "0e-50"
    records[1]["ContractedCost"] = "-0.000000000000000000000"
    records[2]["ContractedCost"] = "1.000000000000000000000000"
    lines = loaded(write_bill(tmp_path / "bill.csv", records))
    assert [r["contracted_cost"] for r in lines] == [Decimal(0), Decimal(0), Decimal(1)]


def test_a_problem_stays_on_one_line(tmp_path: Path) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(1, Tags="team:\nblue"))
    assert problems(bill) == [rf"{bill}:2: Tags: not a JSON object: 'team:\nblue'"]
