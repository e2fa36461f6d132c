"""`costplane report statement`: a tenant's month as PDF, XLSX and HTML, read back the way
its reader would, agreeing with `report chargeback`, `report margin` and `report showback`
(-o json) to the cent; and what it refuses, leaving nothing behind."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import DEMO_PERIOD, Run
from tests.documents.reading import (
    amount,
    cells,
    cli_ok,
    money,
    needs_tools,
    pdf_text,
    rendered_pages,
    report_json,
    row_of,
    sheet_rows,
)

TENANTS = ("alpen-bearings", "jura-paper")
"""A shared-standard and a dedicated-regulated tenant of the demo."""


@pytest.fixture(scope="module")
def chargeback(demo_home: Path) -> dict[str, Any]:
    document = report_json(demo_home, "chargeback", "--period", DEMO_PERIOD)
    return {row["tenant"]: row for row in document["tenants"]}


@pytest.fixture(scope="module")
def margins(demo_home: Path) -> dict[str, Any]:
    document = report_json(demo_home, "margin", "--period", DEMO_PERIOD)
    return {row["tenant"]: row for row in document["tenants"]}


@pytest.fixture(scope="module")
def written(demo_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each tenant's statement in each format, written once for the module."""
    needs_tools()  # poppler-utils and the fonts: skip (or fail in CI) before any work
    out = tmp_path_factory.mktemp("statements")
    files = {}
    for tenant in TENANTS:
        for fmt in ("pdf", "xlsx", "html") if tenant == TENANTS[0] else ("pdf", "xlsx"):
            path = out / f"{tenant}.{fmt}"
            cli_ok("--home", str(demo_home), "report", "statement", "--tenant", tenant,
                   "--period", DEMO_PERIOD, "--format", fmt, "--out", str(path))  # fmt: skip
            files[f"{tenant}.{fmt}"] = path
    return files


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_pdf_holds_the_chargeback_totals_and_renders(
    tenant: str,
    written: dict[str, Path],
    chargeback: dict[str, Any],
    margins: dict[str, Any],
    tmp_path: Path,
) -> None:
    path = written[f"{tenant}.pdf"]
    text = pdf_text(path)
    assert f"Statement {DEMO_PERIOD}" in text
    assert f"Tenant {tenant}" in text
    charged = chargeback[tenant]

    def line(label: str) -> str:
        (found,) = [row for row in text.splitlines() if row.strip().startswith(label)]
        return found.split()[-1]

    assert line("Total charged") == money(charged["total"])
    assert line("Charge ") == money(charged["charge"])
    assert line("Minimum charge adjustment") == money(charged["minimum"])
    assert line("Cost counted by the chargeback rules") == money(charged["cost"])
    assert line("Fee for the period") == money(margins[tenant]["fee"])
    pages = rendered_pages(path, tmp_path)
    assert len(pages) == text.count("\f")  # pdftotext ends every page with a form feed


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_xlsx_cells_are_numbers_equal_to_the_json_reports(
    tenant: str,
    written: dict[str, Path],
    chargeback: dict[str, Any],
    margins: dict[str, Any],
    demo_home: Path,
) -> None:
    path = written[f"{tenant}.xlsx"]
    rows = sheet_rows(path, "Statement")
    charged = chargeback[tenant]
    assert amount(row_of(rows, "total charged")[1]) == Decimal(charged["total"])
    assert amount(row_of(rows, "charge")[1]) == Decimal(charged["charge"])
    assert amount(row_of(rows, "minimum charge adjustment")[1]) == Decimal(charged["minimum"])
    # the exact cost, not its rounding: the cell shows cents through its number format
    assert amount(row_of(rows, "cost counted by the chargeback rules")[1]) == Decimal(
        charged["cost"]
    )
    assert amount(row_of(rows, "fee for the period")[1]) == Decimal(margins[tenant]["fee"])
    formats = {c.number_format for row in cells(path, "Statement") for c in row[1:2]}
    assert '#,##0.00 "EUR"' in formats

    showback = report_json(demo_home, "showback", "--period", DEMO_PERIOD,
                           "--by", "tenant,environment,domain")  # fmt: skip
    lines = [line for line in showback["lines"] if line["tenant"] == tenant]
    cost = sheet_rows(path, "Cost")
    body = [row for row in cost[1:] if row[0] not in (None, "total")]
    assert len(body) == len(lines)
    expected = {
        (line["environment"] or "(none)", line["cost_domain"] or "(none)"): Decimal(line["total"])
        for line in lines
    }
    assert {(row[0], row[1]): amount(row[6]) for row in body} == expected
    assert amount(row_of(cost, "total")[6]) == sum(expected.values())


def test_the_html_is_one_self_contained_page(
    written: dict[str, Path], chargeback: dict[str, Any]
) -> None:
    tenant = TENANTS[0]
    page = written[f"{tenant}.html"].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert money(chargeback[tenant]["total"]) in page
    assert not re.search(r"(src|href)\s*=\s*[^\"\s]", page), "an unquoted reference"
    assert not re.search(r"(src|href)\s*=\s*\"(?!data:)", page), "an external asset"
    assert "<script" not in page
    assert "http://" not in page
    assert "https://" not in page


def test_use_beyond_the_entitlements_is_the_entitlements_report_over_items(
    written: dict[str, Path], demo_home: Path
) -> None:
    tenant = TENANTS[0]
    document = report_json(demo_home, "entitlements", "--period", DEMO_PERIOD, "--tenant", tenant)
    over = [
        (e["environment"], i["entitlement"], Decimal(i["monthly_amount"]))
        for t in document["tenants"]
        for e in t["environments"]
        for i in e["items"]
        if i["status"] == "over"
    ]
    rows = sheet_rows(written[f"{tenant}.xlsx"], "Beyond entitlements")
    assert [(r[0], r[1], amount(r[5])) for r in rows[1:] if r[0] is not None] == over


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--tenant", "alpen-bearing"),
            "not a tenant of the catalog (did you mean 'alpen-bearings'?)",
        ),
        (("--tenant", "alpen-bearings", "--period", "2026-08"), "2026-08 is not allocated yet"),
        (("--tenant", "alpen-bearings", "--period", "2026-13"), "expected a month as YYYY-MM"),
    ],
)
def test_an_unknown_tenant_or_period_is_one_line_and_writes_nothing(
    cli: Run, demo_home: Path, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    period = () if "--period" in args else ("--period", DEMO_PERIOD)
    out = tmp_path / "statement.pdf"
    result = cli("--home", str(demo_home), "report", "statement", *args, *period,
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert message in errors[0]
    assert list(tmp_path.iterdir()) == []


def test_an_out_in_a_missing_directory_is_refused_before_any_work(
    cli: Run, demo_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "missing" / "statement.pdf"
    result = cli("--home", str(demo_home), "report", "statement", "--tenant", TENANTS[0],
                 "--period", DEMO_PERIOD, "--out", str(out))  # fmt: skip
    assert result.exit_code == 2
    assert f"the directory {out.parent} does not exist" in result.stderr
    assert list(tmp_path.iterdir()) == []
