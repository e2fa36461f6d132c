"""The invariant as a user meets it: `costplane allocate` with no dates places every day of
the bill, over random platforms and bills (tests/allocation/invariant_platforms.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costplane.allocation import allocate, reconcile
from costplane.warehouse import connect_warehouse
from tests.allocation.conftest import Platform, catalog
from tests.allocation.invariant_platforms import (
    EVERY_DAY,
    SETTINGS,
    bill_total,
    platforms,
)


@SETTINGS
@given(platform=platforms(), rule=st.sampled_from(["weighted", "even"]), share_idle=st.booleans())
def test_allocate_with_no_dates_places_every_day_of_the_bill(
    tmp_path_factory: pytest.TempPathFactory, platform: Platform, rule: str, share_idle: bool
) -> None:
    """What a user runs: `costplane allocate` with no dates, then the month's reconcile."""
    folder = tmp_path_factory.mktemp("no-dates")
    cat = catalog(f"allocation: {{shared_rule: {rule}, share_idle: {str(share_idle).lower()}}}\n")
    with connect_warehouse(f"duckdb:///{folder / 'w.duckdb'}") as warehouse:
        warehouse.ensure_schema()
        platform.load(warehouse, cat)
        allocate(warehouse, cat)
        days, total = reconcile(warehouse, EVERY_DAY)
    off = {day.date: day.difference for day in days if day.difference != 0}
    assert off == {}
    assert total.difference == 0
    expected = sum((bill_total(platform, day.date) for day in days), Decimal(0))
    assert abs(total.billed - expected) < Decimal("0.000001")
