"""A real Prometheus scrapes `/metrics` of (a copy of) the demo project, and what PromQL
reads back equals the reports' JSON: showback and chargeback per tenant, reconcile,
findings per policy, budgets, and the age of each source's last good collection."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from costplane.surfaces.cli import app
from tests.conftest import DEMO_PERIOD, Demo
from tests.metrics.serving import (
    HOURS_AGO,
    Serving,
    costplane_serve,
    demo_copy,
    prometheus_scraping,
    series,
    wait_for,
)

CENT = Decimal("0.005")
"""Prometheus holds floats: a value read back is within half a cent of the exact one."""


@dataclass(frozen=True)
class Scraped:
    home: Path
    prometheus: str
    copied_at: dt.datetime
    serving: Serving

    def vector(self, promql: str) -> list[dict[str, Any]]:
        return series(self.prometheus, promql)

    def by(self, label: str, promql: str) -> dict[str, Decimal]:
        """`promql`'s values keyed by one label, as exact decimals of the floats."""
        return {s["metric"].get(label, ""): Decimal(s["value"][1]) for s in self.vector(promql)}

    def report(self, *args: str) -> Any:
        """A command's JSON output, run on the same project."""
        env: dict[str, str | None] = {"COSTPLANE_STATE_URL": None, "COSTPLANE_WAREHOUSE_URL": None}
        result = CliRunner().invoke(app, ["--home", str(self.home), *args], env=env)
        assert result.exit_code == 0, result.stderr
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def scraped(demo: Demo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scraped]:
    folder = tmp_path_factory.mktemp("metrics-scrape")
    copied_at = dt.datetime.now(dt.UTC)
    home = demo_copy(demo.home, folder)
    with costplane_serve(home) as serving:
        token = serving.token_file("viewer", folder)
        # the first scrape gathers (seconds); Prometheus's every-second scrapes then time out
        warm = httpx.get(f"{serving.url}/metrics", headers=bearer(serving), timeout=120)
        assert warm.status_code == 200, warm.text
        target = serving.url.removeprefix("http://")
        with prometheus_scraping(target, token, folder / "prometheus") as prometheus:
            yield Scraped(home, prometheus, copied_at, serving)


def bearer(serving: Serving, role: str = "viewer") -> dict[str, str]:
    return {"Authorization": f"Bearer {serving.tokens[role]}"}


def close(found: dict[str, Decimal], exact: dict[str, Decimal]) -> None:
    assert found.keys() == exact.keys()
    off = {key: (found[key], exact[key]) for key in exact if abs(found[key] - exact[key]) > CENT}
    assert not off


def test_each_tenants_cost_is_its_showback_total(scraped: Scraped) -> None:
    showback = scraped.report("report", "showback", "--period", DEMO_PERIOD, "-o", "json")
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for line in showback["lines"]:
        if line["tenant"] is not None:
            exact[line["tenant"]] += Decimal(line["total"])
    assert len(exact) == 40
    close(scraped.by("tenant", "sum by (tenant) (costplane_tenant_cost)"), exact)


def test_each_tenants_charge_is_its_chargeback_total(scraped: Scraped) -> None:
    bill = scraped.report("report", "chargeback", "--period", DEMO_PERIOD, "-o", "json")
    exact = {t["tenant"]: Decimal(t["total"]) for t in bill["tenants"]}
    close(scraped.by("tenant", "costplane_tenant_charge"), exact)


def test_cost_by_domain_and_environment_is_the_showback_by_those(scraped: Scraped) -> None:
    showback = scraped.report(
        "report", "showback", "--period", DEMO_PERIOD, "--by", "tenant,environment,domain",
        "-o", "json",
    )  # fmt: skip
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for line in showback["lines"]:
        if line["tenant"] is not None:
            exact[f"{line['tenant']}/{line['environment'] or ''}/{line['cost_domain']}"] += Decimal(
                line["total"]
            )
    found = {
        f"{m['tenant']}/{m.get('environment', '')}/{m['cost_domain']}": Decimal(s["value"][1])
        for s in scraped.vector("costplane_tenant_cost")
        for m in [s["metric"]]
    }
    close(found, exact)


def test_idle_and_unallocated_are_the_reconciled_months(scraped: Scraped) -> None:
    reconciled = scraped.report("report", "reconcile", "--period", DEMO_PERIOD, "-o", "json")
    total = reconciled["total"]
    kinds = scraped.by("kind", "sum by (kind) (costplane_allocated_cost)")
    assert abs(kinds["idle"] - Decimal(total["idle"])) <= CENT
    assert abs(kinds["unallocated"] - Decimal(total["unallocated"])) <= CENT
    (billed,) = scraped.by("currency", "costplane_billed_cost").values()
    assert abs(billed - Decimal(total["billed"])) <= CENT
    (difference,) = scraped.by("currency", "costplane_unreconciled_cost").values()
    assert abs(difference - Decimal(total["difference"])) <= CENT
    # what no tenant carries: the showback's lines without a tenant, per kind
    showback = scraped.report("report", "showback", "--period", DEMO_PERIOD, "-o", "json")
    untenanted: dict[str, Decimal] = defaultdict(Decimal)
    for line in showback["lines"]:
        if line["tenant"] is None:
            untenanted[line["line"]] += Decimal(line["total"])
    close(scraped.by("kind", "sum by (kind) (costplane_untenanted_cost)"), untenanted)


def test_the_daily_cost_is_the_last_allocated_days(scraped: Scraped) -> None:
    showback = scraped.report("report", "showback", "--period", DEMO_PERIOD, "-o", "json")
    last = dt.date.fromisoformat(showback["allocated"]["last"])
    (start,) = scraped.by("", "costplane_last_allocated_day_timestamp_seconds").values()
    assert dt.datetime.fromtimestamp(float(start), dt.UTC).date() == last
    # a month of days, each its own, sums to the month: the last one is a fair share of it
    (day,) = scraped.by("", "sum(costplane_tenant_daily_cost)").values()
    (month,) = scraped.by("", "sum(costplane_tenant_cost)").values()
    days = showback["allocated"]["days"]
    assert month / days / 2 < day < month / days * 2


def test_open_findings_per_policy_are_the_findings_list(scraped: Scraped) -> None:
    findings = scraped.report("findings", "list", "--all", "-o", "json")
    open_ = [f for f in findings if f["status"] == "open"]
    assert open_
    counts = Counter(f["policy"] for f in open_)
    found = scraped.by("policy", 'sum by (policy) (costplane_findings{status="open"})')
    assert found == {policy: Decimal(n) for policy, n in counts.items()}
    waste: dict[str, Decimal] = defaultdict(Decimal)
    for finding in open_:
        waste[finding["policy"]] += Decimal(finding["monthly_waste"] or 0)
    close(
        scraped.by("policy", 'sum by (policy) (costplane_findings_monthly_waste{status="open"})'),
        waste,
    )
    severities = scraped.by("severity", 'sum by (severity) (costplane_findings{status="open"})')
    assert severities == {s: Decimal(n) for s, n in Counter(f["severity"] for f in open_).items()}


def test_budget_use_is_budgets_status(scraped: Scraped) -> None:
    status = scraped.report("budgets", "status", "--no-record", "-o", "json")
    assert status["budgets"]
    actual = {b["budget"]: Decimal(b["actual"]) for b in status["budgets"]}
    close(scraped.by("budget", "costplane_budget_actual_cost"), actual)
    amounts = {b["budget"]: Decimal(b["monthly_amount"]) for b in status["budgets"]}
    close(scraped.by("budget", "costplane_budget_amount"), amounts)
    forecasts = {b["budget"]: Decimal(b["forecast"]) for b in status["budgets"]}
    close(scraped.by("budget", "costplane_budget_forecast_cost"), forecasts)
    used = scraped.by("budget", "costplane_budget_used_ratio")
    for budget, percent in ((b["budget"], b["actual_percent"]) for b in status["budgets"]):
        assert abs(used[budget] * 100 - Decimal(percent)) < Decimal("0.05")


def test_a_sources_age_is_that_of_its_last_good_collection(scraped: Scraped) -> None:
    ages = scraped.by("source", "costplane_source_age_seconds")
    assert set(ages) == {"kubernetes"}  # the prometheus collector never succeeded
    elapsed = (dt.datetime.now(dt.UTC) - scraped.copied_at).total_seconds()
    assert HOURS_AGO * 3600 - 1 <= ages["kubernetes"] <= HOURS_AGO * 3600 + elapsed + 1
    failing = scraped.by("source", 'costplane_source_status{status="failed"} == 1')
    assert set(failing) == {"prometheus"}


def test_scrapes_reuse_the_model_until_the_data_changes(scraped: Scraped) -> None:
    # several scrapes a second apart: the model was computed once and exposed by each
    scrapes = "count_over_time(costplane_metrics_computed_timestamp_seconds[1m])"
    wait_for(lambda: scraped.by("", scrapes).get("", Decimal(0)) >= 3, "three scrapes")
    changes = scraped.by("", "changes(costplane_metrics_computed_timestamp_seconds[1m])")
    assert list(changes.values()) == [Decimal(0)]


def test_the_endpoint_needs_a_token_that_sees_every_tenant(scraped: Scraped) -> None:
    url = f"{scraped.serving.url}/metrics"
    assert httpx.get(url, timeout=60).status_code == 401
    for role, status in (("tenant", 403), ("viewer", 200), ("finance", 200), ("admin", 200)):
        answer = httpx.get(url, headers=bearer(scraped.serving, role), timeout=60)
        assert answer.status_code == status, (role, answer.text[:300])
        if status == 403:
            assert answer.headers["content-type"] == "application/problem+json"
            assert "costplane_tenant_cost" not in answer.text
        else:
            assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
            assert "costplane_tenant_cost{" in answer.text


def test_the_route_is_in_the_openapi_document(scraped: Scraped) -> None:
    """So the tenant-isolation walk (tests/surfaces/server) calls it with a tenant's token."""
    spec = httpx.get(f"{scraped.serving.url}/api/v1/openapi.json", timeout=60).json()
    operation = spec["paths"]["/metrics"]["get"]
    assert "text/plain" in operation["responses"]["200"]["content"]
    assert {"401", "403"} <= set(operation["responses"])
