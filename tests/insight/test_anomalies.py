"""`costplane anomalies`: planted spikes, steps and drifts found, with expected, actual,
excess and driver; a spike never drags the baseline."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from costplane.allocation import Window
from costplane.insight.anomalies import Anomalies, Sensitivity, find_anomalies
from costplane.insight.anomalies.baseline import expected
from costplane.service import AnomaliesReport, anomalies_document
from costplane.warehouse import ALLOCATIONS, Warehouse
from tests.conftest import DEMO_PERIOD, Run
from tests.insight.anomaly_score import planted, score
from tests.insight.conftest import PERIOD, SPEC

OCTOBER = Window.month(PERIOD)
ZERO = Decimal(0)
CONTRACT = ["tenant", "cost_domain", "day", "expected", "actual", "excess", "driver"]


@pytest.fixture(scope="module")
def found(anomaly_warehouse: Warehouse) -> Anomalies:
    return find_anomalies(anomaly_warehouse, OCTOBER)


# The method on a series made by hand -------------------------------------------------------

MONDAY = dt.date(2026, 9, 7)
DAYS = [MONDAY + dt.timedelta(days=i) for i in range(35)]
FLOOR = Sensitivity().floor


def weekly(spike_on: dt.date | None = None) -> dict[dt.date, Decimal]:
    """10 a weekday, 2 a weekend day; 100 on `spike_on`."""
    series = {d: Decimal(2 if d.weekday() >= 5 else 10) for d in DAYS}
    if spike_on is not None:
        series[spike_on] = Decimal(100)
    return series


def exactly(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.000000001"))


def test_the_expected_amount_follows_the_weekday() -> None:
    series = weekly()
    monday, saturday = DAYS[28], DAYS[33]
    assert exactly(expected(series, monday, DAYS, FLOOR).amount) == 10  # type: ignore[union-attr]
    assert exactly(expected(series, saturday, DAYS, FLOOR).amount) == 2  # type: ignore[union-attr]


def test_a_step_in_the_reference_is_not_taken_for_the_week() -> None:
    """Two weeks at 10/2, then two weeks at 50 every day: the weekday factors come from each
    day against its own week, so after the step a Thursday is expected at the new level."""
    series = {
        d: (Decimal(50) if i >= 14 else Decimal(2 if d.weekday() >= 5 else 10))
        for i, d in enumerate(DAYS)
    }
    thursday = DAYS[31]
    found = expected(series, thursday, DAYS, FLOOR)
    assert found is not None
    assert 40 <= found.amount <= 60


def test_a_spike_does_not_drag_the_baseline() -> None:
    spiked = weekly(spike_on=DAYS[24])  # a Friday at 100
    after = expected(spiked, DAYS[28], DAYS, FLOOR)  # the Monday after
    assert after is not None
    assert exactly(after.amount) == 10
    assert exactly(after.spread) == FLOOR * 10  # the spike does not widen the spread either


def test_too_little_history_is_not_judged() -> None:
    assert expected(weekly(), DAYS[6], DAYS, FLOOR) is None  # six days before it
    assert expected(weekly(), DAYS[7], DAYS, FLOOR) is not None


# The planted anomalies of the fleet --------------------------------------------------------


def test_planted_anomalies_are_found_with_precision_and_recall_of_at_least_0_9(
    anomaly_fleet: Path, found: Anomalies
) -> None:
    plants = planted(anomaly_fleet)
    assert sorted(p["kind"] for p in plants) == ["drift"] * 2 + ["spike"] * 2 + ["step"] * 2
    result = score(plants, found.anomalies)
    assert result.recall >= 0.9, result
    assert result.precision >= 0.9, result


def test_each_planted_anomaly_is_found_on_its_first_days_with_its_namespace(
    anomaly_fleet: Path, found: Anomalies
) -> None:
    for plant in planted(anomaly_fleet):
        mine = [
            a
            for a in found.anomalies
            if a.tenant == plant["tenant"] and a.cost_domain == plant["cost_domain"]
        ]
        days = sorted(a.day for a in mine if plant["first_day"] <= a.day <= plant["last_day"])
        assert days, plant
        if plant["kind"] != "drift":  # a spike or step is seen the day it happens
            assert days[0] == plant["first_day"], plant
        assert {a.driver for a in mine} == {plant["namespace"]}


def test_actual_is_the_allocated_cost_and_excess_its_difference(
    anomaly_warehouse: Warehouse, found: Anomalies
) -> None:
    rows = anomaly_warehouse.table(ALLOCATIONS.name).to_pyarrow().to_pylist()
    per_tenant: dict[tuple[str, str, dt.date], Decimal] = defaultdict(lambda: ZERO)
    per_cluster: dict[tuple[str, str, dt.date], Decimal] = defaultdict(lambda: ZERO)
    for row in rows:
        if row["tenant"] is not None:
            per_tenant[(row["tenant"], row["cost_domain"], row["day"])] += row["cost"]
        if row["cluster"] is not None:
            per_cluster[(row["cluster"], row["cost_domain"], row["day"])] += row["cost"]
    assert found.anomalies
    for anomaly in found.anomalies:
        if anomaly.tenant is not None:
            assert anomaly.cluster is None
            actual = per_tenant[(anomaly.tenant, anomaly.cost_domain, anomaly.day)]
        else:
            assert anomaly.cluster is not None
            actual = per_cluster[(anomaly.cluster, anomaly.cost_domain, anomaly.day)]
        assert anomaly.actual == actual
        assert anomaly.excess == anomaly.actual - anomaly.expected
        assert anomaly.excess >= Sensitivity().min_excess
        assert anomaly.driver


def test_the_first_two_weeks_are_not_judged(found: Anomalies) -> None:
    assert found.days[0] == SPEC.start + dt.timedelta(days=7)
    assert found.days[-1] == SPEC.start + dt.timedelta(days=SPEC.days - 1)
    assert all(a.day >= found.days[0] for a in found.anomalies)


def test_a_stricter_k_finds_a_subset(anomaly_warehouse: Warehouse, found: Anomalies) -> None:
    strict = find_anomalies(anomaly_warehouse, OCTOBER, Sensitivity(k=Decimal(20)))
    keys = {(a.tenant, a.cluster, a.cost_domain, a.day) for a in found.anomalies}
    assert {(a.tenant, a.cluster, a.cost_domain, a.day) for a in strict.anomalies} < keys


@pytest.mark.postgres
def test_postgres_finds_the_same_anomalies(anomaly_postgres: Warehouse, found: Anomalies) -> None:
    assert find_anomalies(anomaly_postgres, OCTOBER) == found


# The command -------------------------------------------------------------------------------


def test_the_json_document_is_the_contract(found: Anomalies) -> None:
    document = json.loads(json.dumps(anomalies_document(AnomaliesReport(found, "EUR"))))
    assert list(document) == ["period", "currency", "anomalies"]
    assert (document["period"], document["currency"]) == (PERIOD, "EUR")
    assert document["anomalies"]
    for anomaly in document["anomalies"]:
        assert list(anomaly)[: len(CONTRACT)] == CONTRACT
        for money in ("expected", "actual", "excess"):
            assert isinstance(anomaly[money], str)
        assert Decimal(anomaly["excess"]) == Decimal(anomaly["actual"]) - Decimal(
            anomaly["expected"]
        )


def test_the_demo_with_nothing_planted_has_no_anomaly(cli: Run, demo_home: Path) -> None:
    """Its month-end closing (orders and traffic up 90 % for `month-end` tenants) is
    business, not an anomaly; docs/budgets.md records this figure."""
    result = cli("--home", str(demo_home), "anomalies", "--period", DEMO_PERIOD, "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "period": DEMO_PERIOD,
        "currency": "EUR",
        "anomalies": [],
    }
    assert "too little history" in result.stderr


def test_a_month_not_allocated_is_exit_2(cli: Run, demo_home: Path) -> None:
    result = cli("--home", str(demo_home), "anomalies", "--period", "2026-08")
    assert result.exit_code == 2
    assert "2026-08 is not allocated yet" in result.stderr
