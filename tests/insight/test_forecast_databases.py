"""`forecast_databases` on snapshots written by hand, on DuckDB and PostgreSQL: the size
series, the band crossing, the next class and the cost at the horizon."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from costplane.insight.forecast import (
    TableGrowth,
    forecast_databases,
    size_histories,
    table_growth,
)
from costplane.warehouse import FACT_TABLES, Load, Warehouse
from tests.insight.forecast_catalog import CATALOG, engine_warehouse

GIB = 2**30
START = dt.datetime(2026, 9, 1)
DAYS = 40
ACME_RATE = 0.1 * GIB  # 15 GiB on the first day, 0.1 GiB a day: 18.9 GiB on the last


@pytest.fixture(params=["duckdb", "postgres"])
def warehouse(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Warehouse]:
    yield from engine_warehouse(request, tmp_path)


def sizes() -> dict[tuple[str, str], np.ndarray]:
    r = np.random.default_rng(11)
    t = np.arange(DAYS)
    return {
        ("acme", "acme_prod"): 15 * GIB + ACME_RATE * t + r.normal(0, 2e6, DAYS),
        ("bolt", "bolt_prod"): np.full(DAYS, 25.0 * GIB),  # over its 20 GiB band all along
        ("crux", "crux_prod"): 120 * GIB + 0.05 * GIB * t + 10 * GIB * (t >= 25),  # an import
    }


def load_snapshots(warehouse: Warehouse, skip_day: int | None = None) -> None:
    rows = []
    for (tenant, database), series in sizes().items():
        for day, size in enumerate(series):
            if day == skip_day and tenant == "acme":
                continue
            for taken_at in (START + dt.timedelta(days=day, hours=h) for h in (6, 18)):
                rows.append(
                    {
                        "taken_at": taken_at,
                        "server": "pg-1",
                        "database": database,
                        "tenant": tenant,
                        "environment": "production",
                        "relation_kind": "database",
                        "relation": None,
                        # the morning's snapshot is 1 GiB smaller: the day's last one counts
                        "size_bytes": round(size) - (GIB if taken_at.hour == 6 else 0),
                    }
                )
    rows.append({**rows[0], "environment": "staging", "database": "acme_staging"})
    for day in range(DAYS):  # acme's Odoo tables: stock moves gain 1,000 rows a day
        for relation, count in (("stock_move", 50_000 + 1_000 * day), ("res_partner", 900)):
            rows.append(
                {
                    **rows[0],
                    "taken_at": START + dt.timedelta(days=day, hours=18),
                    "relation_kind": "table",
                    "relation": relation,
                    "size_bytes": count * 900,
                    "row_count": count,
                }
            )
    schema = FACT_TABLES["database_stats"].schema.to_pyarrow()
    given = {k for row in rows for k in row}
    data = pa.Table.from_pylist(rows, pa.schema([f for f in schema if f.name in given]))
    end = START + dt.timedelta(days=DAYS)
    warehouse.ingest([Load("database_stats", "test", "pg-1", START, end, data)])


def test_one_size_a_day_the_days_last_and_a_missing_day_on_the_line(warehouse: Warehouse) -> None:
    load_snapshots(warehouse, skip_day=10)
    histories = {h.database: h for h in size_histories(warehouse)}
    assert set(histories) == {"acme_prod", "bolt_prod", "crux_prod"}  # production only
    acme = histories["acme_prod"]
    expected = sizes()[("acme", "acme_prod")]
    assert acme.first_day == START.date()
    assert len(acme.sizes) == DAYS
    assert acme.sizes[9] == round(expected[9])
    assert acme.sizes[11] == round(expected[11])
    assert acme.sizes[10] == pytest.approx((round(expected[9]) + round(expected[11])) / 2)
    assert {h.database for h in size_histories(warehouse, None)} >= {"acme_staging"}


def test_crossing_the_band_the_next_class_and_the_cost_at_the_horizon(
    warehouse: Warehouse,
) -> None:
    load_snapshots(warehouse)
    result = forecast_databases(warehouse, CATALOG, horizon_days=60)
    by = {d.tenant: d for d in result.databases}
    last = START.date() + dt.timedelta(days=DAYS - 1)

    acme = by["acme"]
    assert acme.as_of == last
    assert len(acme.forecast) == 60
    assert acme.forecast[0].date == last + dt.timedelta(days=1)
    assert acme.band_max_bytes == 20 * GIB
    assert acme.next_service_class == "large"
    assert acme.next_band_max_bytes == 200 * GIB
    # 18.9 GiB growing 0.1 GiB a day passes 20 GiB on the 11th or 12th day after
    days_to_cross = int(np.ceil((20 * GIB - acme.size_bytes) / ACME_RATE))
    assert acme.crosses_band_on is not None
    assert abs((acme.crosses_band_on - last).days - days_to_cross) <= 1
    assert acme.crosses_band_p90_on is not None
    assert acme.crosses_band_p90_on <= acme.crosses_band_on
    at_horizon = acme.forecast[-1]
    assert at_horizon.p10 < at_horizon.p50 < at_horizon.p90
    assert at_horizon.p50 == pytest.approx(acme.size_bytes + 60 * ACME_RATE, rel=0.01)
    assert acme.monthly_cost_at_horizon == (
        Decimal(at_horizon.p50) / GIB * Decimal("0.20")
    ).quantize(Decimal("0.01"))
    assert acme.currency == "EUR"
    # 24.9 GiB at the horizon is outside `small` (0-20): `large` holds it, at its fee
    assert acme.service_class_at_horizon == "large"
    assert acme.monthly_fee_at_horizon == Decimal("900.00")
    # the Odoo tables, largest growth first: 1,000 rows a day is 30,000 in 30 days
    assert acme.tables == (
        TableGrowth("stock_move", 50_000 + 1_000 * (DAYS - 1), 30_000),
        TableGrowth("res_partner", 900, 0),
    )
    assert table_growth(warehouse)[("pg-1", "acme_prod")] == acme.tables
    assert by["bolt"].tables == ()

    bolt = by["bolt"]  # above its band since the first day: it has crossed
    assert bolt.crosses_band_on == START.date()
    assert bolt.forecast[-1].p50 == 25 * GIB

    crux = by["crux"]  # the import is a level shift, not growth to extrapolate
    assert crux.level_shifts == (START.date() + dt.timedelta(days=25),)
    assert crux.forecast[-1].p50 == pytest.approx(crux.size_bytes + 60 * 0.05 * GIB, rel=0.002)
    assert crux.crosses_band_on is None
    assert crux.service_class_at_horizon == "large"  # its own band still holds it
    assert crux.next_service_class is None
