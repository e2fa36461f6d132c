"""`costplane report board`: the board's month as PDF and XLSX, agreeing with `report
reconcile`, `report margin` and `findings list` (-o json); the month before and what was
fixed in the month, on a project that spans two months."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.governance import Finding, ResourceRef, Severity, record_run
from costplane.service import Project, run_demo
from costplane.settings import Settings
from costplane.state import state_engine, upgrade
from costplane_fleet import FleetSpec
from tests.conftest import DEMO_PERIOD, POSTGRES_ADMIN_URL, Run, _admin_connection
from tests.documents.reading import (
    amount,
    cli_ok,
    money,
    needs_tools,
    pdf_text,
    rendered_pages,
    report_json,
    row_of,
    sheet_rows,
)

BILL = {"to tenants": "allocated", "shared": "shared", "idle": "idle",
        "unallocated": "unallocated", "the bill": "billed"}  # fmt: skip


@pytest.fixture(scope="module")
def demo_board(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    needs_tools()  # poppler-utils and the fonts: skip (or fail in CI) before any work
    out = tmp_path_factory.mktemp("board")
    for fmt in ("pdf", "xlsx"):
        cli_ok("--home", str(demo_home), "report", "board", "--period", DEMO_PERIOD,
               "--format", fmt, "--out", str(out / f"board.{fmt}"))  # fmt: skip
    return {fmt: out / f"board.{fmt}" for fmt in ("pdf", "xlsx")}


def test_where_the_bill_went_is_the_reconcile_report(
    demo_board: dict[str, Path], demo_home: Path, tmp_path: Path
) -> None:
    total = report_json(demo_home, "reconcile", "--period", DEMO_PERIOD)["total"]
    rows = sheet_rows(demo_board["xlsx"], "Bill")
    for label, key in BILL.items():
        assert amount(row_of(rows, label)[1]) == Decimal(total[key]), label
    assert any(row[0] == "the month before: none of its days is allocated" for row in rows)
    text = pdf_text(demo_board["pdf"])
    (bill,) = [line for line in text.splitlines() if re.match(r"\s*the bill\s+[0-9,.]+$", line)]
    assert bill.split()[-1] == money(total["billed"])
    assert len(rendered_pages(demo_board["pdf"], tmp_path)) == text.count("\f") >= 2


def test_margins_are_the_margin_report(demo_board: dict[str, Path], demo_home: Path) -> None:
    document = report_json(demo_home, "margin", "--period", DEMO_PERIOD)
    rows = sheet_rows(demo_board["xlsx"], "Margin")
    total = row_of(rows, "total")
    assert [amount(v) for v in total[3:6]] == [
        Decimal(document["total"][k]) for k in ("fee", "cost", "margin")
    ]
    by_class: dict[str, Decimal] = defaultdict(Decimal)
    for tenant in document["tenants"]:
        by_class[tenant["service_class"]] += Decimal(tenant["margin"])
    for name, margin in by_class.items():
        assert amount(row_of(rows, name)[5]) == margin
    start = rows.index(row_of(rows, "tenant"))
    worst = [row[0] for row in rows[start + 1 : start + 6]]
    assert worst == [t["tenant"] for t in document["tenants"][:5]]
    text = pdf_text(demo_board["pdf"])
    assert money(document["total"]["margin"]) in text


def test_the_waste_is_the_standing_findings_by_policy(
    demo_board: dict[str, Path], demo_home: Path
) -> None:
    findings = json.loads(cli_ok("--home", str(demo_home), "findings", "list", "-o", "json"))
    money_by_policy: dict[str, Decimal] = defaultdict(Decimal)
    for finding in findings:
        money_by_policy[finding["policy"]] += Decimal(finding["monthly_waste"] or 0)
    rows = sheet_rows(demo_board["xlsx"], "Waste")
    for policy, waste in money_by_policy.items():
        assert amount(row_of(rows, policy)[2]) == waste
    assert amount(row_of(rows, "total")[2]) == sum(money_by_policy.values())


def test_the_board_is_pdf_or_xlsx_only(cli: Run, demo_home: Path, tmp_path: Path) -> None:
    result = cli("--home", str(demo_home), "report", "board", "--period", DEMO_PERIOD,
                 "--format", "html", "--out", str(tmp_path / "board.html"))  # fmt: skip
    assert result.exit_code == 2
    assert "the board report is written as pdf, xlsx" in result.stderr
    assert list(tmp_path.iterdir()) == []


# A project over two months: the month before, and a finding fixed in the month ----------

SPEC = FleetSpec(tenants=5, days=4, seed=11, start=dt.date(2026, 9, 29))  # Sep 29 to Oct 2


def planted(policy: str, name: str, waste: str) -> Finding:
    ref = ResourceRef("PersistentVolumeClaim", name, "t-prod", "c1", "t", "production")
    return Finding(policy, Severity.MEDIUM, ref, "t", "production", Decimal(waste), "EUR",
                   f"{policy} found", "fix it")  # fmt: skip


CHARGEBACK = """
chargeback:
  markup_percent: 10
  minimum_monthly: 1500
  rounding: 0.05
"""
"""Rules that give the small tenants a minimum line, and every line a markup and a step."""


@dataclass(frozen=True)
class TwoMonths:
    home: Path
    env: dict[str, str]
    """The stores' URLs for the CLI (none: the embedded DuckDB and SQLite)."""


ENGINES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="module", params=ENGINES)
def two_months(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TwoMonths]:
    """The small project, with the chargeback rules above, and the findings store's history
    of three findings: found on 2026-09-29; the snapshot one fixed on 2026-09-30 (the month
    before), the two volumes on 2026-10-02 (a run of their policy no longer found them)."""
    home = tmp_path_factory.mktemp("two-months") / "project"
    with ExitStack() as stack:
        url = stack.enter_context(scratch_database()) if request.param == "postgres" else None
        env = {"COSTPLANE_WAREHOUSE_URL": url, "COSTPLANE_STATE_URL": url} if url else {}
        if url is not None:  # a configured server is migrated by `costplane db upgrade`
            migrated = state_engine(url)
            upgrade(migrated)
            migrated.dispose()
        project = Project(Settings(home=home, warehouse_url=url, state_url=url))
        stack.callback(project.close)
        run_demo(project, SPEC)
        catalog = home / "costplane.yaml"
        catalog.write_text(catalog.read_text() + CHARGEBACK)
        volumes = [planted("volume-orphaned", n, w) for n, w in (("a", "12.34"), ("b", "5.01"))]
        snapshot = planted("snapshot-stale", "c", "7.00")
        engine = project.state()
        both = ["volume-orphaned", "snapshot-stale"]
        record_run(engine, [*volumes, snapshot], both, dt.datetime(2026, 9, 29, 8))
        record_run(engine, volumes, both, dt.datetime(2026, 9, 30, 8))
        record_run(engine, [], ["volume-orphaned"], dt.datetime(2026, 10, 2, 8))
        project.close()
        yield TwoMonths(home, env)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A PostgreSQL database for the module, dropped afterwards (as `postgres_url` makes one
    for a test)."""
    admin = _admin_connection()
    name = f"costplane_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_month_before_and_what_was_fixed(two_months: TwoMonths, tmp_path: Path) -> None:
    home, env = two_months.home, two_months.env
    out = tmp_path / "board.xlsx"
    cli_ok("--home", str(home), "report", "board", "--period", "2026-10", "--format", "xlsx",
           "--out", str(out), env=env)  # fmt: skip
    before = report_json(home, "reconcile", "--period", "2026-09", env=env)["total"]
    now = report_json(home, "reconcile", "--period", "2026-10", env=env)["total"]
    rows = sheet_rows(out, "Bill")
    for label, key in BILL.items():
        row = row_of(rows, label)
        assert (amount(row[1]), amount(row[2])) == (Decimal(now[key]), Decimal(before[key]))
    waste = sheet_rows(out, "Waste")
    fixed_at = waste.index(row_of(waste, "fixed in 2026-10: findings resolved, by policy"))
    listed = waste[fixed_at + 2 : waste.index(row_of(waste, "total", fixed_at))]
    assert [(row[0], row[1], amount(row[2])) for row in listed] == [
        ("volume-orphaned", 2, Decimal("17.35"))
    ]


def test_every_statement_totals_the_chargeback_with_markup_and_minimum(
    two_months: TwoMonths, tmp_path: Path
) -> None:
    home, env = two_months.home, two_months.env
    document = report_json(home, "chargeback", "--period", "2026-10", env=env)
    assert document["rules"]["minimum_monthly"] == "1500"
    tenants = document["tenants"]
    assert any(Decimal(t["minimum"]) > 0 for t in tenants)  # the minimum line is exercised
    for tenant in tenants:
        out = tmp_path / f"{tenant['tenant']}.xlsx"
        cli_ok("--home", str(home), "report", "statement", "--tenant", tenant["tenant"],
               "--period", "2026-10", "--format", "xlsx", "--out", str(out), env=env)  # fmt: skip
        rows = sheet_rows(out, "Statement")
        for label, key in (("total charged", "total"), ("charge", "charge"),
                           ("minimum charge adjustment", "minimum")):  # fmt: skip
            assert amount(row_of(rows, label)[1]) == Decimal(tenant[key]), (tenant, label)
