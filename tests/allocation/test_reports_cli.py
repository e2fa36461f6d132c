"""`costplane report showback|chargeback|margin|unit-cost`: what a reader of each output
(a person at a table, a script reading JSON, a spreadsheet reading CSV) relies on."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from costplane.money import cents
from costplane.surfaces.cli import app

FLEET = ["--tenants", "12", "--days", "3", "--seed", "5", "--start", "2026-10-01"]
CHARGEBACK = """
chargeback:
  markup_percent: 10
  rounding: "0.05"
  minimum_monthly: "500.00"
"""


class Report:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code = exit_code
        self.stdout = stdout
        self.stderr = stderr


def costplane(home: Path, *args: str) -> Report:
    result = CliRunner().invoke(app, ["--home", str(home), *args])
    return Report(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with 12 tenants over October's first 3 days, allocated, with chargeback
    rules: markup 10 %, rounding 0.05, a minimum of 500.00 a month (48.40 for 3 days)."""
    base = tmp_path_factory.mktemp("reports-cli")
    fleet, project = base / "fleet", base / "project"
    for args in (
        ["generate", "fleet", *FLEET, "--out", str(fleet)],
        ["ingest", "fleet", str(fleet)],
    ):
        done = costplane(project, *args)
        assert done.exit_code == 0, done.stderr
    with (project / "costplane.yaml").open("a") as catalog:
        catalog.write(CHARGEBACK)
    done = costplane(project, "allocate")
    assert done.exit_code == 0, done.stderr
    return project


def report(home: Path, *args: str) -> Report:
    done = costplane(home, "report", *args)
    assert done.exit_code == 0, done.stderr
    return done


def as_json(home: Path, *args: str) -> Any:
    return json.loads(report(home, *args, "--period", "2026-10", "--output", "json").stdout)


def as_csv(home: Path, *args: str) -> list[dict[str, str]]:
    text = report(home, *args, "--period", "2026-10", "--output", "csv").stdout
    return list(csv.DictReader(io.StringIO(text)))


def table_rows(text: str) -> list[list[str]]:
    """The body rows of a Rich table, as cell texts."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def money(value: str) -> Decimal:
    return Decimal(value) if value else Decimal(0)


KINDS = ("direct", "shared", "idle", "overhead", "unallocated")


def test_showback_json_adds_up_to_its_total_and_its_sources(home: Path) -> None:
    document = as_json(home, "showback")
    assert document["report"] == "showback"
    assert document["period"] == "2026-10"
    assert document["currency"] == "EUR"
    assert document["allocated"] == {
        "first": "2026-10-01",
        "last": "2026-10-03",
        "days": 3,
        "days_in_month": 31,
    }
    lines = document["lines"]
    assert all(isinstance(line[k], str) for line in lines for k in (*KINDS, "total"))
    for kind in (*KINDS, "total"):
        assert sum(Decimal(line[kind]) for line in lines) == Decimal(document["total"][kind])
    assert sum(Decimal(v) for v in document["sources"].values()) == Decimal(
        document["total"]["total"]
    )
    assert set(document["sources"]) == {"bill", "price-sheet", "catalog"}
    untenanted = [line for line in lines if line["tenant"] is None]
    assert {line["line"] for line in untenanted} >= {"idle"}
    assert all(line["line"] == "tenant" for line in lines if line["tenant"] is not None)


def test_showback_csv_by_tenant_environment_domain(home: Path) -> None:
    rows = as_csv(home, "showback", "--by", "tenant,environment,domain")
    assert list(rows[0]) == [
        "line",
        "tenant",
        "environment",
        "cost_domain",
        *KINDS,
        "total",
    ]
    *lines, total = rows
    assert total["line"] == "total"
    assert sum(money(row["total"]) for row in lines) == money(total["total"])
    assert {row["cost_domain"] for row in lines} >= {"compute", "database"}


def test_showback_table_rounds_the_exact_amounts(home: Path) -> None:
    exact = as_json(home, "showback")
    done = report(home, "showback", "--period", "2026-10")
    *lines, total = table_rows(done.stdout)
    assert total[0] == "total"
    assert "(idle)" in [line[0] for line in lines]
    columns = (*KINDS, "total")
    assert total[1:] == [str(cents(Decimal(exact["total"][column]))) for column in columns]
    for line in lines:
        assert abs(sum(Decimal(cell) for cell in line[1:6]) - Decimal(line[6])) <= Decimal("0.03")
    assert "note: 3 of 31 days of 2026-10 are allocated" in done.stderr


def test_chargeback_applies_markup_rounding_and_the_minimum(home: Path) -> None:
    document = as_json(home, "chargeback")
    assert document["rules"] == {
        "markup_percent": "10",
        "minimum_monthly": "500.00",
        "rounding": "0.05",
        "include_shared": True,
        "include_idle": False,
    }
    lines = document["lines"]
    assert None not in {line["tenant"] for line in lines}
    for line in lines:
        assert Decimal(line["charge"]) % Decimal("0.05") == 0
        if line["line"] == "cost":
            assert abs(Decimal(line["charge"]) - Decimal(line["cost"]) * Decimal("1.1")) <= Decimal(
                "0.025"
            )
    tenants = document["tenants"]
    allocated = document["allocated"]
    assert (allocated["days"], allocated["days_in_month"]) == (3, 31)
    due = Decimal("48.40")  # 500.00 x 3 / 31 = 48.387..., to the 0.05 step: the contracts
    assert all(Decimal(t["total"]) >= due for t in tenants)  # cover the 3 days
    raised = [t for t in tenants if Decimal(t["minimum"]) > 0]
    assert raised, "the small tenants are raised to the minimum"
    assert all(Decimal(t["total"]) == due for t in raised)
    assert len(raised) < len(tenants), "the dedicated tenants cost more than the minimum"
    assert sum(Decimal(line["charge"]) for line in lines) == Decimal(document["total"]["charge"])
    assert sum(Decimal(t["total"]) for t in tenants) == Decimal(document["total"]["charge"])


def test_chargeback_table_shows_the_minimum_and_the_rules(home: Path) -> None:
    done = report(home, "chargeback", "--period", "2026-10", "--by", "tenant,service-class")
    *lines, total = table_rows(done.stdout)
    assert "minimum charge" in {line[2] for line in lines}
    assert sum(money(line[4]) for line in lines) == Decimal(total[4])  # charges as charged
    exact = as_json(home, "chargeback", "--by", "tenant,service-class")["total"]
    assert Decimal(total[3]) == Decimal(exact["cost"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert "(direct + shared + overhead) × (1 + 10 %)" in done.stdout
    assert "rounded half up to 0.05; minimum 500.00 a month" in done.stdout


def test_margin_lists_the_worst_first_and_totals_what_it_lists(home: Path) -> None:
    document = as_json(home, "margin")
    tenants = document["tenants"]
    margins = [Decimal(t["margin"]) for t in tenants]
    assert margins == sorted(margins)
    assert len(tenants) == 12
    for t in tenants:
        assert Decimal(t["fee"]) - Decimal(t["cost"]) == Decimal(t["margin"])
        assert t["contract_days"] == 3
    assert sum(Decimal(t["fee"]) for t in tenants) == Decimal(document["total"]["fee"])
    assert document["flagged"] == []
    showback = as_json(home, "showback")
    untenanted = sum(
        (Decimal(line["total"]) for line in showback["lines"] if not line["tenant"]), Decimal(0)
    )
    assert Decimal(document["untenanted_cost"]) == untenanted.quantize(Decimal("0.01"))

    table = report(home, "margin", "--period", "2026-10").stdout
    assert table_rows(table)[0][0] == tenants[0]["tenant"]
    assert "Cost no tenant carries" in table


def test_unit_cost_csv_has_a_row_per_tenant_and_a_total(home: Path) -> None:
    rows = as_csv(home, "unit-cost")
    *tenants, total = rows
    assert list(total) == [
        "tenant",
        "service_class",
        "cost",
        "orders",
        "pickings",
        "invoices",
        "per_order",
        "per_picking",
        "per_invoice",
    ]
    assert total["tenant"] == "total"
    assert len(tenants) == 12
    for row in tenants:
        if int(row["orders"]):
            expected = Decimal(row["cost"]) / int(row["orders"])
            assert Decimal(row["per_order"]) == expected.quantize(Decimal("0.0001"))
        else:
            assert row["per_order"] == ""
    assert sum(int(row["orders"]) for row in tenants) == int(total["orders"])


def test_a_month_not_allocated_is_one_line_and_exit_2(home: Path) -> None:
    for command in ("reconcile", "showback", "chargeback", "margin", "unit-cost"):
        done = costplane(home, "report", command, "--period", "2026-11", "-o", "json")
        assert done.exit_code == 2
        assert done.stdout == ""
        assert done.stderr.strip() == (
            "error: 2026-11 is not allocated yet: run `costplane allocate --from 2026-11-01 "
            "--to 2026-11-30` (after ingesting its data)"
        )


def test_bad_by_is_exit_2(home: Path) -> None:
    done = costplane(home, "report", "showback", "--period", "2026-10", "--by", "tenant,team")
    assert done.exit_code == 2
    assert "unknown dimension 'team'" in done.stderr


def test_a_report_on_data_loaded_since_asks_to_allocate_again(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(home, copy)
    with duckdb.connect(str(copy / ".costplane" / "warehouse.duckdb")) as warehouse:
        # allocated an hour ago, so the load below is later whatever the clock says
        warehouse.execute("UPDATE allocations SET allocated_at = allocated_at - INTERVAL 1 HOUR")
    again = costplane(copy, "ingest", "fleet", str(home.parent / "fleet"))
    assert again.exit_code == 0, again.stderr
    done = report(copy, "showback", "--period", "2026-10")
    assert re.search(
        r"^note: data was loaded \(2\S+ \S+\) after 2026-10 was allocated \(2\S+ \S+\); "
        r"run `costplane allocate` for a current report$",
        done.stderr,
        re.MULTILINE,
    )
    fresh = report(home, "showback", "--period", "2026-10")
    assert "was allocated" not in fresh.stderr
