"""The tables of `report reconcile` and `report showback` round what they print, never what
they add: each total is the exact sum, rounded once, so the billed total is the bill.

The project is built by hand so that rounding each line loses money on purpose: every
amount ends in 0.004, which a line shows as 0.00 and three of which make 0.012 (0.01).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costplane.allocation import Window, allocate
from costplane.money import cents
from costplane.surfaces.cli import app
from costplane.warehouse import connect_warehouse
from tests.allocation.conftest import CATALOG, Platform, catalog

DAYS = 3


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with 3 days of October allocated; each day bills a node 24.004, a charge
    tagged for each tenant 1.004 and a resource nobody runs 0.004."""
    project = tmp_path_factory.mktemp("totals") / "project"
    (project / ".costplane").mkdir(parents=True)
    (project / "costplane.yaml").write_text(CATALOG)
    platform = Platform()
    platform.node("n1", cpu=4, memory_gib=16)
    platform.tenant_namespace("acme-prod", "acme")
    for day in range(DAYS):
        platform.run("n1", "acme-prod", range(24), 1.0, 0.5, 4, 2, day=day)
        platform.charge("cloud://n1", "24.004", day=day)
        for tenant in ("acme", "bolt"):
            platform.charge(
                f"pg-{tenant}",
                "1.004",
                day=day,
                category="Databases",
                subcategory="Relational Databases",
                tags={"costplane.io/tenant": tenant, "costplane.io/environment": "production"},
            )
        platform.charge("mystery-1", "0.004", day=day)
    cat = catalog()
    url = f"duckdb:///{project / '.costplane' / 'warehouse.duckdb'}"
    with connect_warehouse(url) as warehouse:
        warehouse.ensure_schema()
        platform.load(warehouse, cat)
        allocate(warehouse, cat, Window(dt.date(2026, 10, 1), dt.date(2026, 10, 1 + DAYS)))
    return project


def report(home: Path, *args: str) -> tuple[str, str]:
    done = CliRunner().invoke(app, ["--home", str(home), "report", *args, "--period", "2026-10"])
    assert done.exit_code == 0, done.stderr
    return done.stdout, done.stderr


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def as_json(home: Path, command: str, *args: str) -> Any:
    stdout, _ = report(home, command, *args, "--output", "json")
    return json.loads(stdout)


RECONCILE = ("billed", "allocated", "shared", "idle", "unallocated", "difference")
SHOWBACK = ("direct", "shared", "idle", "overhead", "unallocated", "total")


def test_the_reconcile_total_is_the_bill_to_the_cent(home: Path) -> None:
    exact = as_json(home, "reconcile")
    assert exact["total"]["billed"] == "78.048000000"  # 3 x (24.004 + 1.004 + 1.004 + 0.004)
    table, _ = report(home, "reconcile")
    *days, total = table_rows(table)
    assert total[0] == "total"
    assert dict(zip(RECONCILE, total[1:], strict=True)) == {
        column: str(cents(Decimal(exact["total"][column]))) for column in RECONCILE
    }
    assert total[1] == "78.05"  # the rounded days add up to 78.06
    assert total[5] == "0.01"  # three unplaced 0.004s, each shown as 0.00
    assert [day[1] for day in days[:DAYS]] == ["26.02"] * DAYS
    assert "each total is the exact sum, rounded" in " ".join(table.split())


def test_the_showback_total_is_the_exact_total_rounded(home: Path) -> None:
    by = ("--by", "tenant,domain")
    exact = as_json(home, "showback", *by)
    table, _ = report(home, "showback", *by)
    *lines, total = table_rows(table)
    assert total[0] == "total"
    assert dict(zip(SHOWBACK, total[2:], strict=True)) == {
        column: str(cents(Decimal(exact["total"][column]))) for column in SHOWBACK
    }
    # acme's node share 18.003 and two database lines of 3.012 show as 18.00 + 3.01 + 3.01
    assert total[2] == "24.03"
    exact_lines = {
        (line["tenant"] or f"({line['line']})", line["cost_domain"]): line
        for line in exact["lines"]
    }
    for line in lines:
        shown = exact_lines[line[0], line[1]]
        assert line[2:] == [str(cents(Decimal(shown[column]))) for column in SHOWBACK]
    assert "each total is the exact sum, rounded" in " ".join(table.split())


def test_the_showback_title_names_the_days_it_covers(home: Path) -> None:
    table, stderr = report(home, "showback")
    assert table.splitlines()[0].strip() == "Showback 2026-10 (2026-10-01 to 2026-10-03), EUR"
    assert "note: 3 of 31 days of 2026-10 are allocated" in stderr


def test_the_reconcile_json_opens_like_every_report(home: Path) -> None:
    document = as_json(home, "reconcile")
    assert document["report"] == "reconcile"
    assert document["period"] == "2026-10"
    assert document["currency"] == "EUR"
    assert document["allocated"] == {
        "first": "2026-10-01",
        "last": "2026-10-03",
        "days": 3,
        "days_in_month": 31,
    }
    assert len(document["days"]) == 31


def test_the_chargeback_cost_total_is_the_exact_total_rounded(home: Path) -> None:
    by = ("--by", "tenant,domain")
    exact = as_json(home, "chargeback", *by)
    table, _ = report(home, "chargeback", *by)
    *lines, total = table_rows(table)
    cost = len(total) - 2  # ... | cost | charge
    assert total[0] == "total"
    assert total[cost] == str(cents(Decimal(exact["total"]["cost"])))
    assert total[cost + 1] == str(cents(Decimal(exact["total"]["charge"])))
    shown = sum(Decimal(line[cost]) for line in lines if line[cost])
    assert shown != Decimal(total[cost]), "the data no longer loses a cent to rounding"
    assert "each total is the exact sum, rounded" in " ".join(table.lower().split())
