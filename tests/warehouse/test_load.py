"""The checks a load passes before any database is touched."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pyarrow as pa
import pytest

import costplane.warehouse
from costplane.warehouse import FACT_TABLES, Load, LoadRecord
from costplane.warehouse.load import overlapping
from costplane.warehouse.staging import Staging, period_bounds

T0 = datetime(2024, 3, 1)


def hours(n: float) -> datetime:
    return T0 + timedelta(hours=n)


def load(start: float, end: float) -> Load:
    return Load("usage_samples", "prometheus", "eu-1", hours(start), hours(end), pa.table({}))


def earlier(start: float, end: float) -> LoadRecord:
    return LoadRecord(1, "usage_samples", "prometheus", "eu-1", hours(start), hours(end), 0, T0)


@pytest.mark.parametrize(
    ("new", "old", "conflict"),
    [
        ((0, 24), (12, 36), True),
        ((12, 36), (0, 24), True),
        ((2, 3), (0, 24), True),
        ((0, 24), (0, 24), False),  # the same period: a replacement
        ((0, 24), (24, 48), False),  # adjacent: end is exclusive
        ((5, 5), (0, 24), False),  # an instant conflicts only with the same instant
        ((0, 24), (5, 5), False),
        ((5, 5), (5, 5), False),
    ],
)
def test_overlap(new: tuple[int, int], old: tuple[int, int], conflict: bool) -> None:
    assert overlapping(load(*new), earlier(*old)) is conflict


@pytest.mark.parametrize(
    ("start", "end", "bounds"),
    [
        (0, 24, (date(2024, 3, 1), date(2024, 3, 2))),
        (0, 12, (date(2024, 3, 1), date(2024, 3, 2))),
        (12, 36, (date(2024, 3, 1), date(2024, 3, 3))),
        (0, 72, (date(2024, 3, 1), date(2024, 3, 4))),
        (6, 6, (date(2024, 3, 1), date(2024, 3, 1))),
    ],
)
def test_a_day_lies_in_a_period_it_overlaps(
    start: int, end: int, bounds: tuple[date, date]
) -> None:
    signals = Load("business_signals", "odoo", "acme", hours(start), hours(end), pa.table({}))

    assert period_bounds(signals, FACT_TABLES["business_signals"]) == bounds


def test_staging_streams_in_batches_of_the_size_asked() -> None:
    rows = pa.table({"hour": [hours(i % 24) for i in range(2500)]})
    usage = Load("usage_samples", "prometheus", "eu-1", T0, hours(24), rows)

    with Staging() as staging:
        staging.add(rows)
        sizes = [b.num_rows for b in staging.batches(usage, FACT_TABLES["usage_samples"], 7, 1000)]

    assert sum(sizes) == 2500
    assert max(sizes) <= 1000


def test_the_public_face_exports_what_it_lists() -> None:
    names = costplane.warehouse.__all__

    assert {"Load", "LoadRecord", "LoadResult", "Warehouse", "connect_warehouse"} <= set(names)
    assert all(hasattr(costplane.warehouse, name) for name in names)
