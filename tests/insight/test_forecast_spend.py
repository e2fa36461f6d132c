"""`forecast_spend` on allocations written by hand, on DuckDB and PostgreSQL: the actual to
date is exact, a month wholly allocated has no spread, and the months ahead follow the
weekly pattern and the trend the days were written with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pytest

from costplane.errors import InputError
from costplane.insight.forecast import SpendForecast, forecast_spend
from costplane.warehouse import ALLOCATIONS, Warehouse
from tests.insight.forecast_catalog import engine_warehouse

FIRST = dt.date(2026, 9, 1)
DAYS = 42  # 2026-09-01 to 2026-10-12
AS_OF = FIRST + dt.timedelta(days=DAYS - 1)
CENT = Decimal("0.01")


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    yield from engine_warehouse(request, tmp_path)


def acme(day: dt.date) -> Decimal:
    return Decimal("4.00") if day.weekday() >= 5 else Decimal("10.00")


def bolt_mean(day: dt.date) -> float:
    return 5.0 + 0.1 * (day - FIRST).days


def rows() -> list[dict[str, Any]]:
    noise = np.random.default_rng(8).normal(0, 0.3, DAYS)
    out = []
    for k in range(DAYS):
        day = FIRST + dt.timedelta(days=k)
        bolt = Decimal(str(round(bolt_mean(day) + noise[k], 3)))
        out += [
            {"day": day, "tenant": "acme", "service_class": "small", "cost_domain": "compute",
             "kind": "direct", "cost": acme(day)},
            {"day": day, "tenant": "bolt", "service_class": "small", "cost_domain": "database",
             "kind": "direct", "cost": bolt},
            {"day": day, "tenant": None, "service_class": None, "cost_domain": "compute",
             "kind": "idle", "cost": Decimal("1.000000001")},
        ]  # fmt: skip
    return out


def store(warehouse: Warehouse, given: list[dict[str, Any]]) -> None:
    schema = {
        "day": "date",
        "tenant": "string",
        "service_class": "string",
        "cost_domain": "string",
        "kind": "string",
        "cost": "decimal(38,9)",
    }
    temp = warehouse.ibis.create_table(
        "_hand_allocations", ibis.memtable(given, schema=schema), temp=True, overwrite=True
    )
    full = temp.select(
        **{
            name: temp[name] if name in temp.columns else ibis.null(dtype)
            for name, dtype in ALLOCATIONS.schema.items()
        }
    )
    warehouse.replace_days(ALLOCATIONS.name, FIRST, AS_OF + dt.timedelta(days=1), full)


def month(forecast: SpendForecast, name: str) -> Any:
    return next(m for m in forecast.months if m.month == name)


def days_of(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]


def test_month_end_and_three_months_ahead_per_group(warehouse: Warehouse) -> None:
    given = rows()
    store(warehouse, given)
    result = forecast_spend(warehouse, "EUR")
    assert (result.as_of, result.history_days, result.currency) == (AS_OF, DAYS, "EUR")
    assert [m.month for m in result.total.months] == ["2026-10", "2026-11", "2026-12", "2027-01"]
    tenants = {t.key: t for t in result.tenants}
    assert set(tenants) == {"acme", "bolt"}  # the idle line has no tenant
    assert [c.key for c in result.service_classes] == ["small"]
    assert [d.key for d in result.cost_domains] == ["compute", "database"]

    # October: the 12 allocated days exactly, then the weekly pattern for the other 19
    october = month(tenants["acme"], "2026-10")
    assert october.actual_to_date == sum(acme(d) for d in days_of(dt.date(2026, 10, 1), AS_OF))
    rest = sum(acme(d) for d in days_of(AS_OF + dt.timedelta(days=1), dt.date(2026, 10, 31)))
    assert october.p50 == (october.actual_to_date + rest).quantize(CENT)
    assert october.p90 - october.p10 <= CENT  # no noise, no spread
    november = month(tenants["acme"], "2026-11")
    assert november.actual_to_date == 0
    assert november.p50 == sum(
        acme(d) for d in days_of(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    )

    # the total's actual to date is every line's, idle included, exact to the nano-unit
    in_october = [r["cost"] for r in given if r["day"] >= dt.date(2026, 10, 1)]
    assert month(result.total, "2026-10").actual_to_date == sum(in_october)

    # bolt grows 0.1 a day: November is the trend's sum, inside the interval
    truth = sum(bolt_mean(d) for d in days_of(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    bolt_november = month(tenants["bolt"], "2026-11")
    assert float(bolt_november.p50) == pytest.approx(truth, rel=0.03)
    assert bolt_november.p10 < Decimal(str(truth)) < bolt_november.p90
    assert tenants["bolt"].method == "linear trend + weekly seasonality"

    # a class is its tenants: the same model is linear in the amounts
    small = month(result.service_classes[0], "2026-12")
    both = month(tenants["acme"], "2026-12").p50 + month(tenants["bolt"], "2026-12").p50
    assert abs(small.p50 - both) <= Decimal("0.05")


def test_nothing_allocated_is_an_input_error_naming_the_command(warehouse: Warehouse) -> None:
    with pytest.raises(InputError, match="costplane allocate"):
        forecast_spend(warehouse, "EUR")
