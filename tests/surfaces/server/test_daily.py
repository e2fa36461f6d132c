"""Cost over any range of days (`report daily`, `GET /api/v1/cost/daily`): the same
document from both, every kind counted, a tenant's token narrowed to its own lines."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from tests.surfaces.server.conftest import TENANT, Served
from tests.surfaces.server.test_api import api_json, cli_json


def summed_in_duckdb(served: Served, first: str, last: str, tenant: str | None = None) -> dict:
    """Σ cost per day straight from the warehouse file: the independent answer."""
    path = served.home / ".costplane" / "warehouse.duckdb.read"
    where = "day BETWEEN ? AND ? AND cost IS NOT NULL" + (" AND tenant = ?" if tenant else "")
    params = [first, last, *([tenant] if tenant else [])]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            f"SELECT day::VARCHAR, sum(cost)::VARCHAR FROM allocations WHERE {where} GROUP BY day",
            params,
        ).fetchall()
    return {day: Decimal(cost) for day, cost in rows}


def test_the_api_and_the_cli_give_one_document_and_it_adds_up(served: Served) -> None:
    query = "start=2026-10-03&end=2026-10-09&by=tenant,domain"
    answered = api_json(served, f"/api/v1/cost/daily?{query}")
    printed = cli_json(
        served, "report", "daily", "--from", "2026-10-03", "--to", "2026-10-09", "--by",
        "tenant,domain",
    )  # fmt: skip
    assert answered == printed
    assert (answered["start"], answered["end"], answered["by"]) == (
        "2026-10-03",
        "2026-10-09",
        ["tenant", "cost_domain"],
    )
    per_day: dict[str, Decimal] = {}
    for line in answered["lines"]:
        per_day[line["day"]] = per_day.get(line["day"], Decimal(0)) + Decimal(line["cost"])
    assert per_day == summed_in_duckdb(served, "2026-10-03", "2026-10-09")
    assert Decimal(answered["total"]) == sum(per_day.values())
    assert answered["notes"] == []


def test_a_whole_month_totals_the_showback(served: Served) -> None:
    showback = api_json(served, "/api/v1/cost/showback?period=2026-10")
    daily = api_json(served, "/api/v1/cost/daily?start=2026-10-01&end=2026-10-31")
    assert Decimal(daily["total"]) == Decimal(showback["total"]["total"])
    # The demo allocates 30 of October's days: the 31st is named as missing.
    assert daily["notes"] == ["1 of the 31 days are not allocated: their cost is not in the lines"]
    assert len(daily["lines"]) == 30


def test_a_tenant_token_reads_its_own_days_only(served: Served) -> None:
    url = "/api/v1/cost/daily?start=2026-10-01&end=2026-10-30&by=tenant,environment"
    own = api_json(served, url, "tenant")
    assert own["tenant"] == TENANT
    assert {line["tenant"] for line in own["lines"]} == {TENANT}
    assert own == api_json(served, f"{url}&tenant={TENANT}")
    by_day: dict[str, Decimal] = {}
    for line in own["lines"]:
        by_day[line["day"]] = by_day.get(line["day"], Decimal(0)) + Decimal(line["cost"])
    assert by_day == summed_in_duckdb(served, "2026-10-01", "2026-10-30", TENANT)
    showback = api_json(served, f"/api/v1/cost/showback?period=2026-10&tenant={TENANT}")
    assert Decimal(own["total"]) == Decimal(showback["total"]["total"])
    other = served.get(f"{url}&tenant=linden-spares", "tenant")
    assert other.status_code == 403
    assert other.headers["content-type"] == "application/problem+json"
    assert "linden-spares" not in str(other.json().get("detail", "")).replace(TENANT, "")


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("start=2026-10-09&end=2026-10-03", "before"),
        ("start=2026-01-01&end=2027-01-02", "at most 366"),
        ("start=2026-10-01&end=2026-10-02&by=colour", "unknown dimension"),
        ("start=2026-10-01&end=2026-10-02&tenant=nobody", "no tenant"),
    ],
)
def test_bad_ranges_are_a_problem_document(served: Served, query: str, says: str) -> None:
    answer = served.get(f"/api/v1/cost/daily?{query}")
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert says in answer.json()["detail"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-10-09", "--to", "2026-10-03"], "--to 2026-10-03: before --from"),
        (["--from", "2026-10-01", "--to", "2026-10-02", "--by", "colour"], "unknown dimension"),
        (["--from", "1900-01-01", "--to", "1900-01-02"], "--from 1900-01-01"),
    ],
)
def test_the_cli_refuses_a_bad_range_in_one_line(
    served: Served, args: list[str], says: str
) -> None:
    printed = CliRunner().invoke(app, ["--home", str(served.home), "report", "daily", *args])
    assert printed.exit_code == 2
    [line] = printed.stderr.strip().splitlines()
    assert says in line
