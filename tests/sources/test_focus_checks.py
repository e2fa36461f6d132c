"""A bill with a bad row is refused whole: each problem names its line and column, the
command exits 2, and the warehouse is left exactly as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from costplane.warehouse import connect_warehouse
from tests.conftest import Run
from tests.sources.conftest import ROW, rows, write_bill

BAD_CELLS = [
    ("BilledCost", "12,5", "BilledCost: not a decimal: '12,5'"),
    ("BilledCost", "", "BilledCost: missing"),
    ("EffectiveCost", "NULL", "EffectiveCost: missing"),
    ("ListCost", "$13", "ListCost: not a decimal: '$13'"),
    ("ContractedCost", "1,234.50", "ContractedCost: not a decimal: '1,234.50'"),
    (
        "EffectiveCost",
        "0.1234567890123456789",
        "EffectiveCost: more than 18 decimal places (the warehouse keeps 18): "
        "'0.1234567890123456789'",
    ),
    (
        "ListCost",
        "123456789012345678901",
        "ListCost: more than 20 digits before the decimal point: '123456789012345678901'",
    ),
    ("PricingQuantity", "1e-19", "PricingQuantity: more than 18 decimal places"),
    (
        "ChargePeriodStart",
        "2025-13-05T00:00:00Z",
        "ChargePeriodStart: not an ISO 8601 date-time: '2025-13-05T00:00:00Z'",
    ),
    ("ChargePeriodEnd", "06.03.2025", "ChargePeriodEnd: not an ISO 8601 date-time: '06.03.2025'"),
    (
        "BillingPeriodStart",
        "3/1/25",
        "BillingPeriodStart: not an ISO 8601 date-time: '3/1/25' (--date-format reads other "
        "forms, e.g. --date-format %m/%d/%y)",
    ),
    ("ChargePeriodStart", "null", "ChargePeriodStart: missing"),
    ("Tags", "tenant=acme", "Tags: not a JSON object: 'tenant=acme'"),
    ("Tags", '["acme"]', """Tags: not a JSON object: '["acme"]'"""),
    ("Tags", "{'tenant': 'acme'}", "Tags: not a JSON object: '{'tenant': 'acme'}'"),
    ("BillingCurrency", "eur", "BillingCurrency: not an ISO 4217 currency code: 'eur'"),
    ("BillingCurrency", "", "BillingCurrency: missing"),
    ("BillingAccountId", "NULL", "BillingAccountId: missing"),
    (
        "ChargeCategory",
        "Refund",
        "ChargeCategory: not one of Adjustment, Credit, Purchase, Tax, Usage: 'Refund'",
    ),
    (
        "ChargeFrequency",
        "Monthly",
        "ChargeFrequency: not one of One-Time, Recurring, Usage-Based: 'Monthly'",
    ),
]


@pytest.fixture
def home(cli: Run, tmp_path: Path) -> Path:
    """A project whose warehouse already holds a good bill (February 2025)."""
    home = tmp_path / "home"
    february = rows(
        2,
        BillingPeriodStart="2025-02-01T00:00:00Z",
        BillingPeriodEnd="2025-03-01T00:00:00Z",
        ChargePeriodStart="2025-02-03T00:00:00Z",
        ChargePeriodEnd="2025-02-04T00:00:00Z",
    )
    result = cli(
        "--home", str(home), "ingest", "focus", str(write_bill(tmp_path / "feb.csv", february))
    )
    assert result.exit_code == 0, result.stderr
    return home


def warehouse_state(home: Path) -> tuple[int, list[tuple[str, object, int]]]:
    """What a user checks: how many billing lines, and which loads hold them."""
    with connect_warehouse(f"duckdb:///{home / '.costplane' / 'warehouse.duckdb'}") as wh:
        count = wh.table("billing_lines").count().to_pyarrow().as_py()
        return count, [(r.scope, r.period_start, r.rows) for r in wh.loads()]


def refused(cli: Run, home: Path, *args: str) -> list[str]:
    """Run `ingest focus`, expect exit 2 and nothing written; the stderr lines."""
    before = warehouse_state(home)
    result = cli("--home", str(home), "ingest", "focus", *args)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert warehouse_state(home) == before
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ")
    assert lines[-1].endswith("; nothing was written")
    return lines


@pytest.mark.parametrize(("column", "value", "message"), BAD_CELLS)
def test_a_bad_cell_names_its_line_and_column(
    cli: Run, home: Path, tmp_path: Path, column: str, value: str, message: str
) -> None:
    records = rows(3)
    records[1][column] = value  # line 3: the header is line 1
    bill = write_bill(tmp_path / "bill.csv", records)
    lines = refused(cli, home, str(bill))
    assert lines[0].startswith(f"{bill}:3: {message}")
    assert lines[-1] == f"error: 1 problem in 1 of 3 rows of {bill}; nothing was written"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "ChargePeriodStart": "2025-04-02T00:00:00Z",
                "ChargePeriodEnd": "2025-04-03T00:00:00Z",
            },
            "ChargePeriodStart: 2025-04-02T00:00:00 is after the billing period "
            "[2025-03-01T00:00:00, 2025-04-01T00:00:00) that bills it",
        ),
        (
            {"ChargePeriodEnd": "2025-04-02T00:00:00Z"},
            "ChargePeriodEnd: 2025-04-02T00:00:00 is after the billing period "
            "[2025-03-01T00:00:00, 2025-04-01T00:00:00) "
            "(only a One-Time charge may pay for a longer term)",
        ),
        (
            {"ChargePeriodEnd": "2025-03-04T00:00:00Z"},
            "ChargePeriodEnd: 2025-03-04T00:00:00 is before ChargePeriodStart 2025-03-05T00:00:00",
        ),
        (
            {"BillingPeriodEnd": "2025-03-01T00:00:00Z"},
            "BillingPeriodEnd: 2025-03-01T00:00:00 is not after BillingPeriodStart "
            "2025-03-01T00:00:00",
        ),
    ],
)
def test_a_charge_outside_its_billing_period_is_a_row_error(
    cli: Run, home: Path, tmp_path: Path, changes: dict[str, str], message: str
) -> None:
    records = rows(2)
    records[0].update(changes)
    bill = write_bill(tmp_path / "bill.csv", records)
    lines = refused(cli, home, str(bill))
    assert f"{bill}:2: {message}" in lines


def test_late_charges_and_one_time_terms_are_real_bills(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    """September's last hour billed in October, and an upfront year billed in one month."""
    late = {"ChargePeriodStart": "2025-02-28T23:00:00Z", "ChargePeriodEnd": "2025-03-01T00:00:00Z"}
    upfront = {
        "ChargeCategory": "Purchase",
        "ChargeFrequency": "One-Time",
        "ChargePeriodEnd": "2026-03-05T00:00:00Z",
    }
    records = rows(3)
    records[0].update(late)
    records[1].update(upfront)
    result = cli(
        "--home", str(home), "ingest", "focus", str(write_bill(tmp_path / "b.csv", records))
    )
    assert result.exit_code == 0, result.stderr


def test_two_currencies_in_one_file_are_refused_explicitly(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    records = rows(3)
    records[2]["BillingCurrency"] = "USD"
    bill = write_bill(tmp_path / "bill.csv", records)
    lines = refused(cli, home, str(bill))
    assert lines[0] == (
        f"{bill}: 2 billing currencies: EUR (2 rows, first on line 2), "
        "USD (1 row, first on line 4); a file must bill in one currency "
        "(split it by BillingCurrency)"
    )
    assert lines[-1] == f"error: 1 problem in {bill} as a whole; nothing was written"


def test_missing_columns_are_named_on_the_header_line(cli: Run, home: Path, tmp_path: Path) -> None:
    without = [{k: v for k, v in ROW.items() if k not in {"ServiceName", "BilledCost"}}]
    bill = write_bill(tmp_path / "bill.csv", without)
    lines = refused(cli, home, str(bill))
    assert lines[:2] == [
        f"{bill}:1: missing BilledCost, without which no row can be loaded",
        f"{bill}:1: missing FOCUS 1.2 mandatory column ServiceName "
        "(--allow-missing-columns loads the file without them)",
    ]
    lines = refused(cli, home, str(bill), "--allow-missing-columns")
    assert lines[0] == f"{bill}:1: missing BilledCost, without which no row can be loaded"


def test_the_version_asked_for_decides_the_mandatory_columns(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(1))
    lines = refused(cli, home, str(bill), "--focus-version", "1.3")
    assert lines[0] == (
        f"{bill}:1: missing FOCUS 1.3 mandatory column ServiceProviderName "
        "(--allow-missing-columns loads the file without them)"
    )
    result = cli("--home", str(home), "ingest", "focus", str(bill), "--focus-version", "2.0")
    assert result.exit_code == 2
    assert result.stderr == "error: --focus-version 2.0: not one of 1.0, 1.1, 1.2, 1.3\n"


def test_repeated_columns_are_refused(cli: Run, home: Path, tmp_path: Path) -> None:
    bill = tmp_path / "bill.csv"
    header = ",".join(ROW)
    bill.write_text(f"{header},billedcost\n" + ",".join(f'"{v}"' for v in ROW.values()) + ",1\n")
    lines = refused(cli, home, str(bill))
    assert lines[0] == f"{bill}:1: columns 'BilledCost' and 'billedcost' have the same name"


def test_a_record_with_the_wrong_number_of_fields_makes_the_file_unreadable(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(3))
    text = bill.read_text().splitlines()
    text[2] = text[2].rsplit(",", 1)[0]  # line 3 loses its last field
    bill.write_text("\n".join(text) + "\n")
    lines = refused(cli, home, str(bill))
    assert lines[0] == f"{bill}:3: {len(ROW) - 1} fields where the header names {len(ROW)}"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "1: no header: the first line must name the columns"),
        ("BilledCost\n12\n".encode("utf-16"), "1: the header is not UTF-8 text"),
        (b"\x1f\x8b\x08\x00garbage", "not a readable gzip file"),
        (b"PAR1 not really parquet", "not a readable Parquet file"),
    ],
)
def test_unreadable_files_are_refused(
    cli: Run, home: Path, tmp_path: Path, content: bytes, message: str
) -> None:
    bill = tmp_path / "bill.csv"
    bill.write_bytes(content)
    lines = refused(cli, home, str(bill))
    assert lines[0].startswith(
        f"{bill}:{message}" if message[0].isdigit() else f"{bill}: {message}"
    )


def test_a_cell_that_is_not_utf8_is_refused(cli: Run, home: Path, tmp_path: Path) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(2))
    bill.write_bytes(bill.read_bytes().replace(b"Acme Distribution", b"Acm\xe9 Distribution", 1))
    lines = refused(cli, home, str(bill))
    assert lines[0] == f"{bill}: not UTF-8 text (save the file as UTF-8)"


def test_only_the_first_20_problems_are_listed_then_counted(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    bill = write_bill(tmp_path / "bill.csv", rows(30, BilledCost="12,5", Tags="x"))
    lines = refused(cli, home, str(bill))
    assert len(lines) == 21
    assert lines[0] == f"{bill}:2: BilledCost: not a decimal: '12,5'"
    assert lines[1] == f"{bill}:2: Tags: not a JSON object: 'x'"
    assert lines[19] == f"{bill}:11: Tags: not a JSON object: 'x'"
    assert lines[20] == f"error: 60 problems in 30 of 30 rows of {bill}; nothing was written"


def test_problems_of_several_files_are_listed_together(
    cli: Run, home: Path, tmp_path: Path
) -> None:
    good = write_bill(tmp_path / "good.csv", rows(2))
    bad = rows(2, BillingAccountId="999")
    bad[1]["Tags"] = "[]"
    worse = write_bill(tmp_path / "bad.csv", bad)
    lines = refused(cli, home, str(good), str(worse))
    assert lines == [
        f"{worse}:3: Tags: not a JSON object: '[]'",
        f"error: 1 problem in 1 of 2 rows of {worse}; nothing was written",
    ]
