"""A tenant's days (what the dashboard's tenant page draws) add up to its showback line,
and the newest allocated month is the demo's."""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from costplane.service import Project, TenantDaysRequest, latest_month, tenant_days
from costplane.settings import Settings
from costplane.surfaces.cli import app
from tests.conftest import DEMO_PERIOD


def showback(home: Path, by: str) -> list[dict[str, str]]:
    args = ["--home", str(home), "report", "showback", "--period", DEMO_PERIOD, "--by", by]
    result = CliRunner().invoke(app, [*args, "-o", "json"])
    assert result.exit_code == 0, result.stderr
    lines: list[dict[str, str]] = json.loads(result.stdout)["lines"]
    return lines


def test_a_tenants_days_add_up_to_its_showback_per_environment_and_domain(
    demo_home: Path,
) -> None:
    project = Project(Settings(home=demo_home))
    lines = showback(demo_home, "tenant,environment,domain")
    tenant = max(
        {line["tenant"] for line in lines if line["tenant"]},
        key=lambda name: sum(Decimal(x["total"]) for x in lines if x["tenant"] == name),
    )
    days = tenant_days(project, TenantDaysRequest.of(DEMO_PERIOD, tenant))
    summed: dict[tuple[str | None, str | None], Decimal] = defaultdict(Decimal)
    for day in days:
        summed[(day.environment, day.cost_domain)] += day.cost
    expected = {
        (line["environment"], line["cost_domain"]): Decimal(line["total"])
        for line in lines
        if line["tenant"] == tenant
    }
    assert summed == expected
    assert len({day.day for day in days}) == 30  # the demo allocates 30 days of October
    assert days == sorted(days, key=lambda d: d.day)


def test_the_newest_allocated_month_is_the_demos(demo_home: Path) -> None:
    assert latest_month(Project(Settings(home=demo_home))) == DEMO_PERIOD


def test_an_unknown_tenant_has_no_days(demo_home: Path) -> None:
    project = Project(Settings(home=demo_home))
    assert tenant_days(project, TenantDaysRequest.of(DEMO_PERIOD, "no-such-tenant")) == []
