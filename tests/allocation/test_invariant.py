"""The invariant, over random platforms and bills: each day, the bill is placed exactly.

Hypothesis draws nodes (billed or not), namespaces (labelled, in the catalog only,
shared, or nobody's), containers that stay under or burst over their requests, bill
lines of every size and sign (credits), with or without a resource, unknown
resources and charges spanning several days past the window, and checks that
every day's `billed` equals allocated + shared + idle + unallocated to the
nano-unit, and that `billed` is the bill's own sum to far better than a cent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costplane.allocation import Window, allocate, reconcile
from costplane.warehouse import connect_warehouse
from tests.allocation.conftest import Platform, catalog

NAMESPACES = ["acme-prod", "bolt-prod", "acme-dev", "scratch", "monitoring", "traefik"]
WINDOW = Window(dt.date(2026, 10, 1), dt.date(2026, 10, 3))

money = st.decimals(min_value=Decimal("-50"), max_value=Decimal("5000"), places=10, allow_nan=False)


@st.composite
def platforms(draw: st.DrawFn) -> Platform:
    platform = Platform()
    platform.tenant_namespace("acme-prod", "acme")
    platform.tenant_namespace("bolt-prod", "bolt")
    platform.namespace("acme-dev")  # the catalog knows it
    platform.namespace("scratch")  # nobody does
    platform.namespace("monitoring", {"costplane.io/shared": "true"})
    platform.namespace("traefik", {"costplane.io/shared": "true"})
    nodes = draw(st.integers(1, 3))
    for n in range(nodes):
        platform.node(f"n{n}", cpu=draw(st.integers(1, 16)), memory_gib=draw(st.integers(1, 64)))
    for _ in range(draw(st.integers(0, 6))):
        day = draw(st.integers(0, 1))
        first = draw(st.integers(0, 23))
        platform.run(
            node=f"n{draw(st.integers(0, nodes - 1))}",
            namespace=draw(st.sampled_from(NAMESPACES)),
            hours=range(first, draw(st.integers(first + 1, 24))),
            cpu_request=draw(st.floats(0, 8)),
            cpu_usage=draw(st.floats(0, 8)),
            memory_request_gib=draw(st.floats(0, 16)),
            memory_usage_gib=draw(st.floats(0, 16)),
            day=day,
        )
    for n in range(nodes):
        for day in draw(st.sets(st.integers(0, 1))):
            platform.charge(f"cloud://n{n}", str(draw(money)), day=day)
    for _ in range(draw(st.integers(0, 3))):
        platform.charge(
            draw(st.sampled_from([None, "unknown-1", "cloud://n0"])),
            str(draw(money)),
            day=draw(st.integers(-2, 1)),
            days=draw(st.integers(1, 5)),
            category=draw(st.sampled_from(["Compute", "Storage", "Other"])),
        )
    for name in ("acme-prod", "bolt-prod"):
        if draw(st.booleans()):
            platform.meter(name, "traefik", "requests", draw(st.floats(1, 1e6)))
    return platform


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(platform=platforms(), rule=st.sampled_from(["weighted", "even"]), share_idle=st.booleans())
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


def bill_total(platform: Platform, day: dt.date | None) -> Decimal:
    """The bill's own sum for a day, long charges prorated by seconds (exact fractions)."""
    assert day is not None
    day_start = dt.datetime.combine(day, dt.time())
    day_end = day_start + dt.timedelta(days=1)
    total = Decimal(0)
    for line in platform.bill:
        start, end = line["charge_period_start"], line["charge_period_end"]
        overlap = (min(end, day_end) - max(start, day_start)).total_seconds()
        if overlap > 0:
            total += line["billed_cost"] * Decimal(overlap) / Decimal((end - start).total_seconds())
    return total
