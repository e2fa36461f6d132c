"""`budgets status`: actual to date, the month-end forecast, thresholds, and alerts raised once."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from costplane.allocation import Window
from costplane.catalog import Budget, BudgetScope, Catalog
from costplane.insight.budgets import budgets_status, month_end, weekday_factors
from costplane.service import BudgetsRequest, Project, budgets_report
from costplane.settings import Settings
from costplane.state import (
    Crossing,
    budget_alerts,
    open_session,
    record_budget_alerts,
    state_engine,
    upgrade,
)
from costplane.state.models import BudgetAlert
from costplane.warehouse import ALLOCATIONS, Warehouse
from tests.conftest import DEMO_PERIOD, Run
from tests.insight.conftest import PERIOD

OCTOBER = Window.month(PERIOD)
ZERO = Decimal(0)
NANO = Decimal("0.000000001")


def october_rows(warehouse: Warehouse) -> list[dict[str, Any]]:
    """Every allocation row of October, read plainly: the reference for the sums."""
    rows = warehouse.table(ALLOCATIONS.name).to_pyarrow().to_pylist()
    return [r for r in rows if OCTOBER.start <= r["day"] < OCTOBER.end]


# The month-end run rate -------------------------------------------------------------------

MONDAY = dt.date(2026, 10, 5)


def week_pattern(days: int, weekday: str = "10", weekend: str = "2") -> dict[dt.date, Decimal]:
    return {
        MONDAY + dt.timedelta(days=i): Decimal(
            weekend if (MONDAY.weekday() + i) % 7 >= 5 else weekday
        )
        for i in range(days)
    }


def test_a_steady_week_is_forecast_exactly() -> None:
    history = week_pattern(21)  # three weeks: Mon 5 Oct to Sun 25 Oct
    remaining = [dt.date(2026, 10, 26) + dt.timedelta(days=i) for i in range(6)]  # Mon-Sat
    actual = sum(history.values(), ZERO)
    # five weekdays at 10 and one Saturday at 2, whatever the mean of the weeks (7.71...)
    forecast = month_end(history, actual, remaining)
    assert forecast.quantize(NANO) == actual + Decimal(52)
    factors = weekday_factors(history)
    assert (factors[0] / factors[5]).quantize(NANO) == 5


def test_under_two_weeks_the_forecast_is_the_last_weeks_mean() -> None:
    history = week_pattern(7)  # one week: 5 x 10 + 2 x 2 = 54
    assert weekday_factors(history) == dict.fromkeys(range(7), Decimal(1))
    forecast = month_end(history, Decimal(54), [dt.date(2026, 10, 12), dt.date(2026, 10, 13)])
    assert forecast.quantize(NANO) == (Decimal(54) + 2 * Decimal(54) / 7).quantize(NANO)


def test_nothing_left_or_nothing_known_leaves_the_actual() -> None:
    assert month_end(week_pattern(14), Decimal(5), []) == Decimal(5)
    assert month_end({}, Decimal(5), [dt.date(2026, 10, 31)]) == Decimal(5)


# Budgets of the fleet ---------------------------------------------------------------------


def _expected_actuals(warehouse: Warehouse, catalog: Catalog) -> dict[str, Decimal]:
    """Each budget's actual, summed plainly from the rows its scope selects."""
    sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for row in october_rows(warehouse):
        for budget in catalog.budgets:
            scope = budget.scope
            if scope.service_class and row["service_class"] != scope.service_class:
                continue
            if scope.cost_domain and row["cost_domain"] != scope.cost_domain.value:
                continue
            if scope.tenant and row["tenant"] != scope.tenant:
                continue
            if scope.labels:
                labelled = {
                    t.id
                    for t in catalog.tenants
                    if all(t.labels.get(k) == v for k, v in scope.labels.items())
                }
                if row["tenant"] not in labelled:
                    continue
            sums[budget.id] += row["cost"]
    return sums


def labelled_catalog(catalog: Catalog) -> Catalog:
    """The fleet's catalog with the first three tenants labelled `segment: key-accounts`
    and two budgets more: that label, and one tenant's database."""
    tenants = [
        t.model_copy(update={"labels": {"segment": "key-accounts"}}) if i < 3 else t
        for i, t in enumerate(catalog.tenants)
    ]
    budgets = [
        *catalog.budgets,
        Budget(
            id="key-accounts",
            scope=BudgetScope(labels={"segment": "key-accounts"}),
            monthly_amount=Decimal(50),
        ),
        Budget(
            id="one-database",
            scope=BudgetScope.model_validate(
                {"tenant": catalog.tenants[0].id, "cost_domain": "database"}
            ),
            monthly_amount=Decimal(1000),
        ),
    ]
    return catalog.model_copy(update={"tenants": tenants, "budgets": budgets})


def test_actual_is_the_scopes_allocated_cost(
    anomaly_warehouse: Warehouse, anomaly_catalog: Catalog
) -> None:
    catalog = labelled_catalog(anomaly_catalog)
    status = budgets_status(anomaly_warehouse, catalog, OCTOBER)
    expected = _expected_actuals(anomaly_warehouse, catalog)
    assert {b.budget: b.actual for b in status.budgets} == {
        b.id: expected[b.id] for b in catalog.budgets
    }
    assert status.as_of == dt.date(2026, 10, 24)
    assert (status.allocated_days, status.days_in_month) == (24, 31)
    by_id = {b.budget: b for b in status.budgets}
    assert by_id["key-accounts"].actual > 0
    platform = by_id["platform-total"]
    assert platform.actual == sum((r["cost"] for r in october_rows(anomaly_warehouse)), ZERO)
    # 7 days to come, each about the run rate: the forecast is the actual and a bit more
    assert platform.actual < platform.forecast < platform.actual * 31 / 24 * Decimal("1.2")


def test_thresholds_are_crossed_at_their_amounts(
    anomaly_warehouse: Warehouse, anomaly_catalog: Catalog
) -> None:
    status = budgets_status(anomaly_warehouse, labelled_catalog(anomaly_catalog), OCTOBER)
    seen = 0
    for budget in status.budgets:
        for threshold in budget.thresholds:
            assert threshold.amount == budget.monthly_amount * threshold.percent / 100
            assert threshold.actual_crossed == (budget.actual >= threshold.amount)
            assert threshold.forecast_crossed == (budget.forecast >= threshold.amount)
            seen += threshold.actual_crossed + threshold.forecast_crossed
        assert budget.actual_percent == (budget.actual / budget.monthly_amount * 100).quantize(
            Decimal("0.1")
        )
    assert seen > 0, "the fleet's budgets should cross some threshold"


@pytest.mark.postgres
def test_postgres_gives_the_same_status(
    anomaly_warehouse: Warehouse, anomaly_postgres: Warehouse, anomaly_catalog: Catalog
) -> None:
    catalog = labelled_catalog(anomaly_catalog)
    assert budgets_status(anomaly_postgres, catalog, OCTOBER) == budgets_status(
        anomaly_warehouse, catalog, OCTOBER
    )


# Alerts: raised once ----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'state.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = state_engine(url)
    upgrade(engine)
    yield engine
    engine.dispose()


def crossing(percent: str, basis: str = "forecast") -> Crossing:
    return Crossing("platform", Decimal(percent), basis, Decimal(percent) * 10, Decimal(900), "EUR")


def test_an_alert_is_raised_once_per_threshold_basis_and_month(state: Engine) -> None:
    at = dt.datetime(2026, 10, 20, 6)
    first = record_budget_alerts(state, "2026-10", [crossing("80"), crossing("80", "actual")], at)
    assert [(a.threshold_percent, a.basis, a.new) for a in first] == [
        (Decimal(80), "forecast", True),
        (Decimal(80), "actual", True),
    ]
    later = at + dt.timedelta(days=1)
    again = record_budget_alerts(
        state, "2026-10", [crossing("80.0"), crossing("80", "actual")], later
    )
    assert [a.new for a in again] == [False, False]
    assert {a.raised_at for a in again} == {at}
    # the forecast falls back: its alert is cleared, and crossing again raises nothing new
    fell = record_budget_alerts(state, "2026-10", [crossing("80", "actual")], later)
    assert [(a.basis, a.new) for a in fell] == [("actual", False)]
    back = record_budget_alerts(state, "2026-10", [crossing("80"), crossing("80", "actual")], later)
    assert [a.new for a in back] == [False, False]
    # another month is another period: raised anew
    november = record_budget_alerts(state, "2026-11", [crossing("80")], later)
    assert [a.new for a in november] == [True]
    assert len(budget_alerts(state)) == 3


def demo_copy(demo_home: Path, tmp_path: Path) -> Path:
    """The demo project with a state store of its own and no alert in it (the README's
    `budgets status` may have raised some in the shared demo)."""
    home = tmp_path / "demo"
    shutil.copytree(demo_home, home, ignore=shutil.ignore_patterns("state.db*"))
    return home


def test_budgets_status_twice_raises_each_alert_once(demo_home: Path, tmp_path: Path) -> None:
    home = demo_copy(demo_home, tmp_path)
    project = Project(Settings(home=home))
    try:
        first = budgets_report(project, BudgetsRequest.of(DEMO_PERIOD))
        crossings = [
            (b.budget, t.percent, basis) for b in first.status.budgets for t, basis in b.crossed()
        ]
        assert crossings, "the demo's budgets cross thresholds"
        assert sorted((a.budget, a.threshold_percent, a.basis) for a in first.alerts) == sorted(
            crossings
        )
        assert all(a.new for a in first.alerts)
        second = budgets_report(project, BudgetsRequest.of(None))  # the newest month: October
        assert second.status.period == DEMO_PERIOD
        assert [a.new for a in second.alerts] == [False] * len(crossings)
        with open_session(project.state()) as session:
            kept = session.scalar(select(func.count()).select_from(BudgetAlert))
        assert kept == len(crossings)
    finally:
        project.close()


def test_budgets_status_json(cli: Run, demo_home: Path, tmp_path: Path) -> None:
    home = demo_copy(demo_home, tmp_path)
    result = cli("--home", str(home), "budgets", "status", "--output", "json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["period"], document["currency"]) == (DEMO_PERIOD, "EUR")
    platform = next(b for b in document["budgets"] if b["budget"] == "platform-total")
    assert platform["scope"] == {}
    assert isinstance(platform["actual"], str)
    assert Decimal(platform["actual"]) > 0
    assert all(alert["new"] for b in document["budgets"] for alert in b["alerts"])
    again = json.loads(cli("--home", str(home), "budgets", "status", "-o", "json").stdout)
    assert not any(alert["new"] for b in again["budgets"] for alert in b["alerts"])
    september = cli("--home", str(home), "budgets", "status", "--period", "2026-09")
    assert september.exit_code == 2
    assert "2026-09 is not allocated yet" in september.stderr
