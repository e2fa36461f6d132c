"""The invariant, over random platforms and bills: each day, the bill is placed exactly.

Hypothesis draws nodes (billed or not on each day, with or without pods), namespaces
(labelled, in the catalog only, shared, platform, or nobody's), volumes with and
without bill lines of their own, containers that stay under or burst over their
requests, Traefik and log meters present on some days only, bill lines of every size
and sign (credits), with or without a resource, unknown resources and charges
spanning several days past the window or the whole month, and checks that every
day's `billed` equals allocated + shared + idle + unallocated to the nano-unit, and
that `billed` is the bill's own sum to far better than a cent. How many examples run
is the Hypothesis profile's (tests/conftest.py): a fixed set in `make test`, more,
random ones in `make test-properties`.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from costplane.allocation import allocate, reconcile
from costplane.warehouse import connect_warehouse
from tests.allocation.conftest import Platform, catalog
from tests.allocation.invariant_platforms import (
    SETTINGS,
    WINDOW,
    bill_total,
    platforms,
    seeded_platform,
)


@SETTINGS
@given(platform=platforms(), rule=st.sampled_from(["weighted", "even"]), share_idle=st.booleans())
@example(platform=seeded_platform(), rule="even", share_idle=True)
def test_every_day_of_the_bill_is_placed_exactly(
    tmp_path_factory: pytest.TempPathFactory, platform: Platform, rule: str, share_idle: bool
) -> None:
    folder = tmp_path_factory.mktemp("invariant")
    cat = catalog(f"allocation: {{shared_rule: {rule}, share_idle: {str(share_idle).lower()}}}\n")
    with connect_warehouse(f"duckdb:///{folder / 'w.duckdb'}") as warehouse:
        warehouse.ensure_schema()
        platform.load(warehouse, cat)
        allocate(warehouse, cat, WINDOW)
        days, total = reconcile(warehouse, WINDOW)
    assert [day.difference for day in days] == [Decimal(0)] * len(days)
    assert total.difference == 0
    for day in days:
        assert abs(day.billed - bill_total(platform, day.date)) < Decimal("0.000001")
