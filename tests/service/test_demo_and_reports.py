"""The demo and the reports called directly, as the REST API will: each report's
document, serialised, is exactly what `costplane report ... -o json` prints."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costplane.governance.findings import Status
from costplane.service import (
    Demo,
    GovernRequest,
    Project,
    Report,
    ReportRequest,
    chargeback_document,
    chargeback_report,
    govern,
    margin_document,
    margin_report,
    reconcile_document,
    reconcile_report,
    run_demo,
    showback_document,
    showback_report,
    to_document,
    unit_cost_document,
    unit_cost_report,
)
from costplane.settings import Settings
from costplane.surfaces.cli import app
from costplane_fleet import FleetSpec

SPEC = FleetSpec(tenants=4, days=2, seed=3, start=dt.date(2026, 10, 1))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Demo]:
    project = Project(Settings(home=tmp_path_factory.mktemp("service") / "demo"))
    return project, run_demo(project, SPEC)


def test_the_demo_loads_allocates_and_governs_the_fleet(demo: tuple[Project, Demo]) -> None:
    _, done = demo
    assert done.fleet.spec == SPEC
    assert {result.table for result in done.loaded} >= {"usage_samples", "billing_lines"}
    assert done.reconciled.billed > 0
    assert done.reconciled.difference == 0  # the allocation placed the whole bill
    assert done.month.start == dt.date(2026, 10, 1)


def cli_json(home: Path, *args: str) -> Any:
    printed = CliRunner().invoke(app, ["--home", str(home), *args, "-o", "json"])
    assert printed.exit_code == 0, printed.stderr
    return json.loads(printed.stdout)


Reporter = Callable[[Project, ReportRequest], Report[Any]]
Documenter = Callable[[Report[Any]], dict[str, Any]]


@pytest.mark.parametrize(
    ("name", "by", "reporter", "documenter"),
    [
        ("reconcile", None, reconcile_report, reconcile_document),
        ("showback", "tenant,environment", showback_report, showback_document),
        ("chargeback", "tenant,domain", chargeback_report, chargeback_document),
        ("margin", None, margin_report, margin_document),
        ("unit-cost", None, unit_cost_report, unit_cost_document),
    ],
)
def test_a_report_document_is_what_the_cli_prints(
    demo: tuple[Project, Demo],
    name: str,
    by: str | None,
    reporter: Reporter,
    documenter: Documenter,
) -> None:
    project, _ = demo
    request = ReportRequest.of("2026-10", by or "tenant")
    report = reporter(project, request)
    assert report.notes  # 2 of October's 31 days are allocated: the reader is told
    flags = ["--by", by] if by else []
    printed = cli_json(project.settings.home, "report", name, "--period", "2026-10", *flags)
    assert to_document(documenter(report)) == printed


def test_governing_again_finds_what_the_demo_found(demo: tuple[Project, Demo]) -> None:
    project, done = demo
    governed = govern(project, GovernRequest())
    assert governed.record is not None
    assert governed.record.new == 0  # the demo recorded them all
    assert {f.fingerprint for f in done.findings} == {
        f.fingerprint for f in governed.findings if f.status is not Status.SUPPRESSED
    }
